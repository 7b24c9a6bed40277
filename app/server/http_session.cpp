#include "app/server/http_session.h"

#include <chrono>
#include <cstdio>
#include <sstream>

#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "app/server/api_error.h"
#include "app/server/api_json.h"
#include "app/server/completion_job.h"
#include "app/server/routes.h"
#include "app/server/server_state.h"

namespace bench::server {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {
constexpr auto kIdleTimeout = std::chrono::seconds(120);  // a keep-alive connection with no request
constexpr auto kLingerTimeout = std::chrono::seconds(2);  // reading what a refused client still sends
constexpr size_t kHeaderLimit = 16 * 1024;

std::string chunk(const std::string& payload) {
    char size[20];
    std::snprintf(size, sizeof size, "%zx\r\n", payload.size());
    return size + payload + "\r\n";
}
}  // namespace

HttpSession::HttpSession(tcp::socket socket, ServerState& state) : stream_(std::move(socket)), state_(state) {}

void HttpSession::start() { read_request(); }

void HttpSession::on_shutdown() {
    if (closed_ || job_running_ || writing_ || !out_.empty()) return;  // busy ones close after the answer
    close();
}

void HttpSession::read_request() {
    if (closed_) return;
    if (state_.shutting_down) return close();
    parser_.emplace();
    parser_->body_limit(state_.opts.max_body_bytes);
    parser_->header_limit(kHeaderLimit);
    stream_.expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
}

void HttpSession::on_read(beast::error_code ec) {
    if (closed_) return;
    if (ec == http::error::end_of_stream || ec == net::error::eof || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset)
        return close();
    if (ec == http::error::body_limit)
        return respond_error(413, "request body larger than " + std::to_string(state_.opts.max_body_bytes) + " bytes",
                             "invalid_request_error", true);
    if (ec == http::error::header_limit)
        return respond_error(431, "request header larger than " + std::to_string(kHeaderLimit) + " bytes",
                             "invalid_request_error", true);
    if (ec) return respond_error(400, "malformed HTTP request: " + ec.message(), "invalid_request_error", true);
    handle(parser_->release());
}

void HttpSession::handle(Request req) {
    ++state_.stats.requests;
    keep_alive_ = req.keep_alive();
    try {
        const Route route = route_of(std::string(req.method_string()), std::string(req.target()));
        if (route == Route::Completion || route == Route::V1Completion)
            return start_completion(req, route == Route::Completion ? Api::Native : Api::OpenAI);
        if (route == Route::NotFound) throw ApiError(404, "File Not Found", "not_found_error");
        respond(200, dump(answer_simple(route, state_, req.body())), !keep_alive_);
    } catch (const ApiError& e) {
        respond_error(e.status, e.what(), e.type, !keep_alive_);
    } catch (const std::exception& e) {
        respond_error(500, e.what(), "server_error", !keep_alive_);
    }
}

void HttpSession::start_completion(const Request& req, Api api) {
    if (state_.shutting_down) throw ApiError(503, "the server is shutting down", "unavailable_error");
    if (!state_.has_room()) {
        ++state_.stats.rejected_busy;
        throw ApiError(503, "the server is busy: " + std::to_string(state_.outstanding) +
                                " requests running or waiting (--parallel " + std::to_string(state_.opts.parallel) +
                                " + --max-queue " + std::to_string(state_.opts.max_queue) + ")",
                       "unavailable_error");
    }
    job_ = parse_completion(req.body(), api, *state_.model, state_.info.n_ctx);
    job_running_ = true;
    job_tokens_ = 0;
    utf8_ = Utf8Chunker();
    job_name_ = "cmpl-ternbench-" + std::to_string(state_.next_completion++);
    ++state_.outstanding;
    stream_.expires_never();  // generation may take long; a client that leaves is noticed by watch_client
    if (job_->stream) {
        write(std::string("HTTP/1.1 200 OK\r\nServer: ternbench\r\nAccess-Control-Allow-Origin: *\r\n"
                          "Content-Type: text/event-stream\r\nCache-Control: no-cache\r\nX-Accel-Buffering: no\r\n"
                          "Transfer-Encoding: chunked\r\n") +
              (keep_alive_ ? "" : "Connection: close\r\n") + "\r\n");
    }
    auto self = shared_from_this();
    job_id_ = submit_completion(
        *state_.scheduler, state_.io, *job_, [self](const tern::TokenEvent& ev) { self->on_token(ev); },
        [self](const tern::GenerationResult& r) { self->on_done(r); });
    watch_client();
}

void HttpSession::on_token(const tern::TokenEvent& ev) {
    if (!job_running_ || client_gone_ || closed_) return;
    ++job_tokens_;
    if (!job_->stream) return;
    const std::string text = utf8_.push(ev.piece);
    if (job_->api == Api::Native)
        send_sse(dump(token_event(text, ev.id, job_tokens_, static_cast<int>(job_->prompt.size()))));
    else
        send_sse(dump(v1_chunk(state_.info, job_name_, text)));
}

void HttpSession::on_done(const tern::GenerationResult& r) {
    job_running_ = false;
    --state_.outstanding;
    ++state_.stats.completions;
    if (r.stop == tern::StopReason::Cancelled) ++state_.stats.cancelled;
    if (client_gone_ || closed_) return close();  // nobody to answer
    const bool close_after = !keep_alive_ || state_.shutting_down;
    const bool native = job_->api == Api::Native;
    if (!job_->stream) {
        if (r.stop == tern::StopReason::Error) return respond_error(500, r.error, "server_error", close_after);
        if (r.stop == tern::StopReason::Cancelled)
            return respond_error(503, "cancelled: the server is shutting down", "unavailable_error", close_after);
        return respond(200, dump(native ? completion_final(state_.info, *job_, r, false)
                                        : v1_final(state_.info, job_name_, r, false)),
                       close_after);
    }
    const std::string rest = utf8_.flush();
    if (r.stop == tern::StopReason::Error) {
        // As llama-server: an error event inside the 200 stream.
        send_sse(dump(error_body(500, r.error, "server_error")));
    } else if (native) {
        auto last = completion_final(state_.info, *job_, r, true);
        last["content"] = rest;
        send_sse(dump(last));
    } else {
        if (!rest.empty()) send_sse(dump(v1_chunk(state_.info, job_name_, rest)));
        send_sse(dump(v1_final(state_.info, job_name_, r, true)));
    }
    if (!native) send_sse("[DONE]");
    write("0\r\n\r\n");
    finish_response(close_after);
}

void HttpSession::respond(int status, const std::string& body, bool close, const char* content_type) {
    http::response<http::string_body> res{static_cast<http::status>(status), 11};
    res.set(http::field::server, "ternbench");
    res.set(http::field::access_control_allow_origin, "*");
    res.set(http::field::content_type, content_type);
    res.keep_alive(!close);
    res.body() = body;
    res.prepare_payload();
    std::ostringstream os;
    os << res;
    write(os.str());
    finish_response(close);
}

void HttpSession::respond_error(int status, const std::string& message, const std::string& type, bool close) {
    if (status >= 400 && status < 500) ++state_.stats.client_errors;
    respond(status, dump(error_body(status, message, type)), close);
}

void HttpSession::send_sse(const std::string& data) { write(chunk("data: " + data + "\n\n")); }

void HttpSession::finish_response(bool close) {
    response_queued_ = true;
    close_after_ = close;
    if (!writing_ && out_.empty()) after_response();
}

void HttpSession::write(std::string bytes) {
    if (closed_) return;
    out_.push_back(std::move(bytes));
    if (!writing_) write_next();
}

void HttpSession::write_next() {
    writing_ = true;
    net::async_write(stream_, net::buffer(out_.front()), [self = shared_from_this()](beast::error_code ec, size_t) {
        self->writing_ = false;
        if (ec) return self->client_gone();
        self->out_.pop_front();
        if (!self->out_.empty()) return self->write_next();
        if (self->response_queued_) self->after_response();
    });
}

void HttpSession::after_response() {
    response_queued_ = false;
    if (closed_) return;
    if (close_after_) {
        if (watching_) return close();  // the request was read whole: nothing left to drain
        // The request may not have been read whole (refused body): read what the client still
        // sends for a moment, so closing does not reset the connection before it read the answer.
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        stream_.expires_after(kLingerTimeout);
        drain();
        return;
    }
    if (watching_) {
        read_after_watch_ = true;
        beast::error_code ec;
        stream_.socket().cancel(ec);  // the watch read ends; its handler reads the next request
        return;
    }
    read_request();
}

void HttpSession::drain() {
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(64 * 1024), [self = shared_from_this()](beast::error_code ec, size_t n) {
        if (ec || self->closed_) return self->close();
        self->buffer_.commit(n);
        self->drain();
    });
}

void HttpSession::watch_client() {
    if (watching_ || closed_) return;
    watching_ = true;
    stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, size_t n) {
        self->watching_ = false;
        if (!ec) {
            self->buffer_.commit(n);  // a pipelined request: parsed after this answer
        } else if (ec != net::error::operation_aborted) {
            return self->client_gone();  // EOF or reset: the client left
        }
        if (self->read_after_watch_) {
            self->read_after_watch_ = false;
            self->read_request();
        }
    });
}

void HttpSession::client_gone() {
    if (client_gone_) return;
    client_gone_ = true;
    if (job_running_) {
        ++state_.stats.disconnects;
        state_.scheduler->cancel(job_id_);  // frees its batch slot; on_done still arrives
    }
    close();
}

void HttpSession::close() {
    if (closed_) return;
    closed_ = true;  // out_ is kept: a cancelled write may still refer to its front
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
}

}  // namespace bench::server
