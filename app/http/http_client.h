#pragma once
// Plain HTTP/1.1 requests (Boost.Beast over Asio) for the small calls around a benchmark:
// /health, /props, /tokenize, probing which API a server speaks. Every call has a deadline and
// a bound on the response size; failures come back as a message, never as an exception.
#include <chrono>
#include <cstddef>
#include <string>

#include <boost/system/error_code.hpp>

#include "app/http/endpoint.h"

namespace bench::http {

struct HttpLimits {
    std::chrono::milliseconds connect_timeout{5000};
    // Streams: the longest silence (no byte) before a request counts as stalled. Plain calls:
    // the deadline of the whole exchange.
    std::chrono::milliseconds idle_timeout{120000};
    size_t max_body = size_t(64) << 20;   // response body bound
    size_t max_event = size_t(1) << 20;   // one server-sent event
    size_t max_header = size_t(64) << 10;
};

struct HttpResponse {
    int status = 0;                // 0 when no response was read
    std::string body, content_type, server;
    std::string error;             // transport problem (refused, timeout, too large, ...)
    bool ok() const { return error.empty() && status >= 200 && status < 300; }
    // "HTTP 404: File Not Found" / the transport error.
    std::string describe() const;
};

// GET when body is empty, else POST with a JSON body. Adds Authorization: Bearer from the
// environment (api_key_from_env) when set.
HttpResponse http_call(const Endpoint& ep, const std::string& path, const std::string& body,
                       const HttpLimits& limits);

// Message for a Boost error of a request to ep ("connection refused by 127.0.0.1:8080", ...).
std::string transport_error(const Endpoint& ep, const std::string& what,
                            const boost::system::error_code& ec, const HttpLimits& limits);

}  // namespace bench::http
