#pragma once
// A small blocking HTTP/1.1 client for the `serve` tests (Boost.Beast): whole requests, raw
// bytes, and server-sent events split into their `data:` payloads.
#include <chrono>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace test_http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

struct Reply {
    int status = 0;
    std::string content_type, transfer_encoding;
    std::string body;  // chunked framing removed
};

inline tcp::socket connect(net::io_context& io, uint16_t port) {
    tcp::socket s(io);
    s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    return s;
}

inline Reply request(uint16_t port, http::verb method, const std::string& target, const std::string& body = {},
                     const std::string& content_type = "application/json") {
    net::io_context io;
    beast::tcp_stream stream(connect(io, port));
    stream.expires_after(std::chrono::seconds(120));  // a hang bound, not a timing check
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!body.empty() || method == http::verb::post) {
        req.set(http::field::content_type, content_type);
        req.body() = body;
        req.prepare_payload();
    }
    http::write(stream, req);
    beast::flat_buffer buf;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    http::read(stream, buf, parser);
    auto res = parser.release();
    Reply r;
    r.status = static_cast<int>(res.result_int());
    r.content_type = std::string(res[http::field::content_type]);
    r.transfer_encoding = std::string(res[http::field::transfer_encoding]);
    r.body = res.body();
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return r;
}

inline Reply get(uint16_t port, const std::string& target) { return request(port, http::verb::get, target); }
inline Reply post(uint16_t port, const std::string& target, const std::string& body) {
    return request(port, http::verb::post, target, body);
}

// Sends raw bytes, returns everything the server sends until it closes (or a hang bound).
inline std::string raw(uint16_t port, const std::string& bytes) {
    net::io_context io;
    beast::tcp_stream stream(connect(io, port));
    stream.expires_after(std::chrono::seconds(120));
    net::write(stream, net::buffer(bytes));
    std::string out;
    beast::error_code ec;
    char buf[4096];
    for (;;) {
        const size_t n = stream.read_some(net::buffer(buf), ec);
        out.append(buf, n);
        if (ec) break;
    }
    return out;
}

// The payloads of `data: X\n\n` events, in order. Every event must be exactly one data line
// followed by a blank line; anything else is returned as a "<bad framing>" entry.
inline std::vector<std::string> sse_events(const std::string& body) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos < body.size()) {
        const size_t end = body.find("\n\n", pos);
        if (end == std::string::npos || body.compare(pos, 6, "data: ") != 0) {
            out.push_back("<bad framing>");
            break;
        }
        const std::string line = body.substr(pos + 6, end - pos - 6);
        if (line.find('\n') != std::string::npos) out.push_back("<bad framing>");
        else out.push_back(line);
        pos = end + 2;
    }
    return out;
}

// The body of a recorded response (tests/fixtures/llama-server/*.http): after the blank line.
inline std::string fixture_body(const std::string& text) {
    const size_t p = text.find("\n\n");
    const size_t q = text.find("\r\n\r\n");
    if (q != std::string::npos && (p == std::string::npos || q < p)) return text.substr(q + 4);
    return p == std::string::npos ? std::string() : text.substr(p + 2);
}

}  // namespace test_http
