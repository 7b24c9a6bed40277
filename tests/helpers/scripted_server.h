#pragma once
// A small HTTP server inside a test (Asio acceptor thread, one thread per connection) that
// answers with canned or misbehaving bytes: recorded llama-server responses replayed with real
// chunked framing, stalls, garbage, truncation, slow drips, crashes.
#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

namespace testsrv {

using boost::asio::ip::tcp;

struct Request {
    std::string method, path, body;
};

class Connection {
public:
    Connection(tcp::socket& s, const std::atomic<bool>& stopping) : s_(s), stopping_(stopping) {}
    // False when the peer is gone.
    bool write(const std::string& bytes) {
        boost::system::error_code ec;
        boost::asio::write(s_, boost::asio::buffer(bytes), ec);
        return !ec;
    }
    // Sleeps in small steps; false when the server is stopping.
    bool sleep_ms(int ms) {
        const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
        while (std::chrono::steady_clock::now() < until) {
            if (stopping_) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return !stopping_;
    }
    bool stopping() const { return stopping_; }
    void close() {
        boost::system::error_code ec;
        s_.shutdown(tcp::socket::shutdown_both, ec);
        s_.close(ec);
    }

private:
    tcp::socket& s_;
    const std::atomic<bool>& stopping_;
};

using Handler = std::function<void(const Request&, Connection&)>;

class ScriptedServer {
public:
    explicit ScriptedServer(Handler h, int port = 0)
        : handler_(std::move(h)), acceptor_(io_, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), uint16_t(port))) {
        port_ = acceptor_.local_endpoint().port();
        accept();
        thread_ = std::thread([this] { io_.run(); });
    }
    ~ScriptedServer() { stop(); }
    void stop() {
        if (stopping_.exchange(true)) return;
        boost::asio::post(io_, [this] {
            boost::system::error_code ec;
            acceptor_.close(ec);
        });
        thread_.join();
        std::lock_guard lock(mu_);
        for (auto& t : conns_) t.join();
    }
    int port() const { return port_; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    int requests_seen() const { return seen_; }
    std::vector<Request> requests() const {
        std::lock_guard lock(mu_);
        return log_;
    }

private:
    void accept() {
        acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket s) {
            if (ec) return;
            std::lock_guard lock(mu_);
            conns_.emplace_back([this, sock = std::make_shared<tcp::socket>(std::move(s))] { serve(*sock); });
            accept();
        });
    }
    void serve(tcp::socket& s) {
        // Keep-alive: answer requests on this connection until the peer or the handler closes it.
        boost::asio::streambuf buf;
        for (;;) {
            boost::system::error_code ec;
            boost::asio::read_until(s, buf, "\r\n\r\n", ec);
            if (ec) return;
            std::string head(boost::asio::buffers_begin(buf.data()), boost::asio::buffers_end(buf.data()));
            const size_t end = head.find("\r\n\r\n") + 4;
            head.resize(end);
            buf.consume(end);
            Request r;
            std::istringstream first(head.substr(0, head.find("\r\n")));
            first >> r.method >> r.path;
            size_t length = 0;
            std::string lower = head;
            for (auto& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
            if (auto p = lower.find("content-length:"); p != std::string::npos)
                length = std::stoul(lower.substr(p + 15, lower.find("\r\n", p) - p - 15));
            if (buf.size() < length) boost::asio::read(s, buf, boost::asio::transfer_exactly(length - buf.size()), ec);
            if (ec) return;
            r.body.assign(boost::asio::buffers_begin(buf.data()), boost::asio::buffers_begin(buf.data()) + long(length));
            buf.consume(length);
            {
                std::lock_guard lock(mu_);
                log_.push_back(r);
            }
            ++seen_;
            Connection c(s, stopping_);
            handler_(r, c);
            if (!s.is_open()) return;
        }
    }

    Handler handler_;
    boost::asio::io_context io_;
    tcp::acceptor acceptor_;
    int port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<int> seen_{0};
    std::thread thread_;
    mutable std::mutex mu_;
    std::vector<std::thread> conns_;
    std::vector<Request> log_;
};

// A recorded response (curl -i output: head, blank line, de-chunked body). With chunked=true
// and a `Transfer-Encoding: chunked` head, the body is sent re-chunked one SSE event per chunk.
struct Recorded {
    std::string head;   // status line + headers, ending with CRLF CRLF
    std::string body;
    bool chunked = false;
};

inline Recorded load_recorded(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    Recorded r;
    const size_t sep = all.find("\r\n\r\n");
    r.head = all.substr(0, sep + 4);
    r.body = all.substr(sep + 4);
    r.chunked = r.head.find("Transfer-Encoding: chunked") != std::string::npos;
    return r;
}

inline std::string chunk(const std::string& data) {
    std::ostringstream s;
    s << std::hex << data.size() << "\r\n" << data << "\r\n";
    return s.str();
}

// Sends a recorded response; events of a chunked body go one per chunk, `gap_ms` apart.
inline void send_recorded(Connection& c, const Recorded& r, int gap_ms = 0) {
    if (!r.chunked) {
        c.write(r.head + r.body);
        return;
    }
    if (!c.write(r.head)) return;
    size_t pos = 0;
    while (pos < r.body.size()) {
        size_t end = r.body.find("\n\n", pos);
        end = end == std::string::npos ? r.body.size() : end + 2;
        if (!c.write(chunk(r.body.substr(pos, end - pos)))) return;
        pos = end;
        if (gap_ms && !c.sleep_ms(gap_ms)) return;
    }
    c.write("0\r\n\r\n");
}

}  // namespace testsrv
