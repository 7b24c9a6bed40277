#include "app/http/http_sink.h"

#include <array>
#include <mutex>
#include <set>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "app/http/sse_parser.h"

namespace bench::http {
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = tern::Clock;

namespace {

tern::StopReason stop_reason_of(const std::string& stop_type) {
    if (stop_type == "eos" || stop_type == "stop" || stop_type == "word") return tern::StopReason::EndOfGeneration;
    return tern::StopReason::MaxTokens;  // "limit", "length", [DONE]
}

}  // namespace

// One streamed completion: connect, write, read the header, read body pieces into the SSE
// parser until the final event, an error, or the end of the connection.
class StreamCall : public std::enable_shared_from_this<StreamCall> {
public:
    StreamCall(asio::io_context& io, const HttpSinkOptions& opts, tern::SchedulerRequest req)
        : opts_(opts), stream_(io), resolver_(io), req_(std::move(req)), sse_(opts.limits.max_event) {
        result_.submitted = Clock::now();
        result_.prompt_tokens = int(req_.prompt.size());
    }

    void start() {
        CompletionRequest c;
        c.prompt = req_.prompt;
        c.n_predict = req_.params.max_tokens;
        c.ignore_eos = !req_.params.stop_at_eog;
        c.temperature = req_.params.sampling.temperature;
        c.top_k = req_.params.sampling.top_k;
        c.top_p = req_.params.sampling.top_p;
        c.seed = req_.params.sampling.seed;
        c.forbid_tokens = opts_.forbid_tokens;
        http_req_ = {bhttp::verb::post, opts_.endpoint.target(completion_path(opts_.api)), 11};
        http_req_.set(bhttp::field::host, opts_.endpoint.host + ":" + opts_.endpoint.port);
        http_req_.set(bhttp::field::user_agent, "ternbench");
        http_req_.set(bhttp::field::content_type, "application/json");
        http_req_.set(bhttp::field::accept, "text/event-stream");
        if (const auto key = api_key_from_env(); !key.empty())
            http_req_.set(bhttp::field::authorization, "Bearer " + key);
        http_req_.body() = completion_body(opts_.api, c);
        http_req_.prepare_payload();
        parser_.body_limit(opts_.limits.max_body);
        parser_.header_limit(static_cast<uint32_t>(opts_.limits.max_header));

        auto self = shared_from_this();
        resolver_.async_resolve(opts_.endpoint.host, opts_.endpoint.port,
                                [self](const boost::system::error_code& ec, tcp::resolver::results_type r) {
                                    if (ec) return self->fail("resolving", ec);
                                    self->connect(r);
                                });
    }

    void cancel() {
        cancelled_ = true;
        boost::system::error_code ignored;
        resolver_.cancel();
        stream_.socket().close(ignored);
    }

    std::function<void()> on_finished;  // set by the sink: removes the call from its set

private:
    void connect(const tcp::resolver::results_type& r) {
        stream_.expires_after(opts_.limits.connect_timeout);
        auto self = shared_from_this();
        stream_.async_connect(r, [self](const boost::system::error_code& ec, const tcp::endpoint&) {
            if (ec) return self->fail("connecting to", ec);
            self->stream_.expires_after(self->opts_.limits.idle_timeout);
            bhttp::async_write(self->stream_, self->http_req_, [self](const boost::system::error_code& ec2, size_t) {
                if (ec2) return self->fail("sending to", ec2);
                self->read_header();
            });
        });
    }

    void read_header() {
        stream_.expires_after(opts_.limits.idle_timeout);
        auto self = shared_from_this();
        bhttp::async_read_header(stream_, buffer_, parser_, [self](const boost::system::error_code& ec, size_t) {
            if (ec) return self->fail("reading the answer of", ec);
            self->status_ = self->parser_.get().result_int();
            const std::string type(self->parser_.get()[bhttp::field::content_type]);
            if (self->status_ == 200 && type.rfind("text/event-stream", 0) != 0)
                return self->finish_error("the server answered " + (type.empty() ? "without a content type" : type) +
                                          ", not an event stream (does it stream completions?)");
            self->read_body();
        });
    }

    void read_body() {
        if (parser_.is_done()) return body_ended();
        parser_.get().body().data = chunk_.data();
        parser_.get().body().size = chunk_.size();
        stream_.expires_after(opts_.limits.idle_timeout);
        auto self = shared_from_this();
        bhttp::async_read_some(stream_, buffer_, parser_, [self](boost::system::error_code ec, size_t) {
            const auto arrived = Clock::now();
            if (ec == bhttp::error::need_buffer) ec = {};
            const size_t n = self->chunk_.size() - self->parser_.get().body().size;
            if (n > 0 && !self->consume(std::string_view(self->chunk_.data(), n), arrived)) return;
            if (ec) return self->fail("reading the stream of", ec);
            self->read_body();
        });
    }

    // Returns false when the request ended (final event, error event, bad event).
    bool consume(std::string_view bytes, Clock::time_point arrived) {
        if (status_ != 200) {  // an error answer: keep a bounded prefix for the message
            if (error_body_.size() < 4096) error_body_.append(bytes.substr(0, 4096 - error_body_.size()));
            return true;
        }
        events_.clear();
        if (!sse_.feed(bytes, events_)) {
            finish_error(sse_.error() + " after " + std::to_string(result_.token_times.size()) + " tokens");
            return false;
        }
        for (const auto& data : events_) {
            StreamEvent ev;
            try {
                ev = interpret_event(opts_.api, data);
            } catch (const std::exception& e) {
                finish_error(std::string(e.what()) + " (after " + std::to_string(result_.token_times.size()) + " tokens)");
                return false;
            }
            if (ev.kind == StreamEvent::Kind::Error) {
                finish_error("error event in the stream after " + std::to_string(result_.token_times.size()) +
                             " tokens: " + ev.error);
                return false;
            }
            for (int i = 0; i < ev.n_tokens; ++i) {
                const int32_t id = i < int(ev.ids.size()) ? ev.ids[size_t(i)] : -1;
                result_.tokens.push_back(id);
                result_.token_times.push_back(arrived);
                if (req_.on_token) {
                    tern::TokenEvent te;
                    te.id = id;
                    te.piece = i == 0 ? ev.text : std::string();
                    te.index = int(result_.tokens.size()) - 1;
                    te.time = arrived;
                    req_.on_token(te);
                }
            }
            result_.text += ev.text;
            if (ev.timings) timings_ = ev.timings;
            if (!ev.stop_type.empty()) stop_type_ = ev.stop_type;
            if (ev.kind == StreamEvent::Kind::Done) {
                finish_ok();
                return false;
            }
        }
        return true;
    }

    void body_ended() {
        if (status_ != 200) {
            finish_error("HTTP " + std::to_string(status_) + " from " + opts_.endpoint.url() + ": " +
                         error_message_of(error_body_));
        } else if (opts_.api == ApiKind::OpenAiV1 && !stop_type_.empty() && sse_.pending() == 0) {
            finish_ok();  // finished without `data: [DONE]`: the finish_reason event ended it
        } else {
            finish_error(std::string(sse_.pending() ? "stream truncated in the middle of an event"
                                                    : "stream ended without a final event") +
                         " after " + std::to_string(result_.token_times.size()) + " tokens");
        }
    }

    void fail(const char* what, const boost::system::error_code& ec) {
        if (cancelled_) return finish(tern::StopReason::Cancelled, {});
        if (status_ != 0 && status_ != 200 && !error_body_.empty())
            return finish_error("HTTP " + std::to_string(status_) + " from " + opts_.endpoint.url() + ": " +
                                error_message_of(error_body_));
        std::string msg = transport_error(opts_.endpoint, what, ec, opts_.limits);
        if (status_ == 200) msg += " after " + std::to_string(result_.token_times.size()) + " tokens";
        finish_error(msg);
    }

    void finish_ok() {
        if (timings_ && opts_.on_timings) opts_.on_timings(result_.submitted, *timings_);
        finish(stop_reason_of(stop_type_), {});
    }
    void finish_error(const std::string& msg) { finish(tern::StopReason::Error, msg); }

    void finish(tern::StopReason stop, const std::string& error) {
        if (done_) return;
        done_ = true;
        boost::system::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.socket().close(ignored);
        result_.stop = (cancelled_ && stop == tern::StopReason::Error) ? tern::StopReason::Cancelled : stop;
        result_.error = result_.stop == tern::StopReason::Error ? error : std::string();
        if (!result_.token_times.empty()) {
            result_.first_token = result_.token_times.front();
            result_.last_token = result_.token_times.back();
        }
        if (req_.on_done) req_.on_done(result_);
        if (on_finished) on_finished();
    }

    const HttpSinkOptions& opts_;
    beast::tcp_stream stream_;
    tcp::resolver resolver_;
    tern::SchedulerRequest req_;
    bhttp::request<bhttp::string_body> http_req_;
    bhttp::response_parser<bhttp::buffer_body> parser_;
    beast::flat_buffer buffer_;
    std::array<char, 16384> chunk_{};
    SseParser sse_;
    std::vector<std::string> events_;
    tern::GenerationResult result_;
    std::optional<ServerTimings> timings_;
    std::string stop_type_, error_body_;
    int status_ = 0;
    bool done_ = false, cancelled_ = false;
};

struct HttpSink::Impl {
    explicit Impl(HttpSinkOptions o) : opts(std::move(o)), work(asio::make_work_guard(io)) {}
    HttpSinkOptions opts;
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work;
    std::set<std::shared_ptr<StreamCall>> calls;  // touched on the io thread only
    std::thread thread;
};

HttpSink::HttpSink(HttpSinkOptions opts) : impl_(std::make_shared<Impl>(std::move(opts))) {
    impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

HttpSink::~HttpSink() {
    cancel_all();
    impl_->work.reset();  // run() returns once every call has finished
    impl_->thread.join();
}

void HttpSink::submit(tern::SchedulerRequest req) {
    auto call = std::make_shared<StreamCall>(impl_->io, impl_->opts, std::move(req));  // submitted = now
    asio::post(impl_->io, [impl = impl_.get(), call] {
        impl->calls.insert(call);
        call->on_finished = [impl, c = call.get()] {
            // Erase after the handler that finished it returns (it may still use `this`).
            asio::post(impl->io, [impl, c] {
                for (auto it = impl->calls.begin(); it != impl->calls.end(); ++it)
                    if (it->get() == c) {
                        impl->calls.erase(it);
                        break;
                    }
            });
        };
        call->start();
    });
}

void HttpSink::cancel_all() {
    asio::post(impl_->io, [impl = impl_.get()] {
        for (const auto& c : impl->calls) c->cancel();
    });
}

}  // namespace bench::http
