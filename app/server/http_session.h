#pragma once
// One client connection: reads requests (keep-alive), answers the simple endpoints at once,
// and runs completions through the Scheduler, streamed as SSE (chunked) or answered whole.
// While a completion runs the connection is watched: a client that goes away cancels it.
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "app/server/completion_request.h"
#include "app/server/utf8_chunker.h"
#include "engine/runtime/scheduler.h"

namespace bench::server {

struct ServerState;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
public:
    HttpSession(boost::asio::ip::tcp::socket socket, ServerState& state);
    void start();
    // The server is stopping: an idle connection closes now, a busy one after its answer.
    void on_shutdown();

private:
    using Request = boost::beast::http::request<boost::beast::http::string_body>;

    void read_request();
    void on_read(boost::beast::error_code ec);
    void handle(Request req);
    void start_completion(const Request& req, Api api);
    void on_token(const tern::TokenEvent& ev);
    void on_done(const tern::GenerationResult& r);

    // Queues a whole response; `close` ends the connection after it.
    void respond(int status, const std::string& body, bool close, const char* content_type = "application/json; charset=utf-8");
    void respond_error(int status, const std::string& message, const std::string& type, bool close);
    void send_sse(const std::string& data);  // one `data: ...\n\n` event as an HTTP chunk
    void finish_response(bool close);        // the response is fully queued
    void write(std::string bytes);
    void write_next();
    void after_response();  // all written: next request, or close
    void drain();  // after a refused request: read and drop until the client closes or times out
    void watch_client();
    void client_gone();
    void close();

    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    ServerState& state_;

    std::deque<std::string> out_;  // bytes waiting to be written, in order
    bool writing_ = false;
    bool response_queued_ = false;  // the current response is complete in out_
    bool close_after_ = false;
    bool keep_alive_ = true;
    bool closed_ = false;

    // The running completion.
    bool job_running_ = false;
    tern::Scheduler::RequestId job_id_ = 0;
    std::optional<CompletionRequest> job_;
    std::string job_name_;  // /v1 completion id
    int job_tokens_ = 0;
    Utf8Chunker utf8_;
    bool watching_ = false;    // a read is pending to notice a client that leaves
    bool read_after_watch_ = false;
    bool client_gone_ = false;
};

}  // namespace bench::server
