#include "app/http/http_client.h"

#include <sstream>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "app/http/completion_api.h"

namespace bench::http {
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::string HttpResponse::describe() const {
    if (!error.empty()) return error;
    return "HTTP " + std::to_string(status) + ": " + error_message_of(body);
}

std::string transport_error(const Endpoint& ep, const std::string& what,
                            const boost::system::error_code& ec, const HttpLimits& limits) {
    const std::string where = ep.host + ":" + ep.port;
    if (ec == asio::error::connection_refused)
        return "connection refused by " + where + " (is the server running?)";
    if (ec == beast::error::timeout)
    {
        std::ostringstream secs;
        secs << limits.idle_timeout.count() / 1000.0;
        return what + ": no data from " + where + " for " + secs.str() + " s (stalled)";
    }
    if (ec == bhttp::error::body_limit)
        return what + ": response from " + where + " larger than " + std::to_string(limits.max_body) + " bytes";
    if (ec == bhttp::error::header_limit)
        return what + ": response header from " + where + " larger than " + std::to_string(limits.max_header) + " bytes";
    if (ec == asio::error::eof || ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
        ec == asio::error::connection_reset)
        return what + ": connection closed by " + where + " (" + ec.message() + ")";
    return what + " " + where + ": " + ec.message();
}

HttpResponse http_call(const Endpoint& ep, const std::string& path, const std::string& body,
                       const HttpLimits& limits) {
    HttpResponse out;
    asio::io_context io;
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    beast::flat_buffer buffer;
    bhttp::request<bhttp::string_body> req(body.empty() ? bhttp::verb::get : bhttp::verb::post,
                                           ep.target(path), 11);
    req.set(bhttp::field::host, ep.host + ":" + ep.port);
    req.set(bhttp::field::user_agent, "ternbench");
    if (const auto key = api_key_from_env(); !key.empty())
        req.set(bhttp::field::authorization, "Bearer " + key);
    if (!body.empty()) {
        req.set(bhttp::field::content_type, "application/json");
        req.body() = body;
        req.prepare_payload();
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(limits.max_body);
    parser.header_limit(static_cast<uint32_t>(limits.max_header));

    auto fail = [&](const char* what, const boost::system::error_code& ec) {
        out.error = transport_error(ep, what, ec, limits);
    };
    resolver.async_resolve(ep.host, ep.port, [&](const boost::system::error_code& ec, tcp::resolver::results_type results) {
        if (ec) return fail("resolving", ec);
        stream.expires_after(limits.connect_timeout);
        stream.async_connect(results, [&](const boost::system::error_code& ec2, const tcp::endpoint&) {
            if (ec2) return fail("connecting to", ec2);
            stream.expires_after(limits.idle_timeout);
            bhttp::async_write(stream, req, [&](const boost::system::error_code& ec3, size_t) {
                if (ec3) return fail("sending to", ec3);
                bhttp::async_read(stream, buffer, parser, [&](const boost::system::error_code& ec4, size_t) {
                    if (ec4) return fail("reading from", ec4);
                    const auto& res = parser.get();
                    out.status = res.result_int();
                    out.body = res.body();
                    out.content_type = std::string(res[bhttp::field::content_type]);
                    out.server = std::string(res[bhttp::field::server]);
                });
            });
        });
    });
    io.run();
    return out;
}

}  // namespace bench::http
