#pragma once
// An HTTP API error: status code, message and llama-server's error type; the session answers
// it as {"error":{"code","message","type"}}.
#include <stdexcept>
#include <string>

namespace bench::server {

struct ApiError : std::runtime_error {
    int status;
    std::string type;
    ApiError(int s, const std::string& message, std::string t = "invalid_request_error")
        : std::runtime_error(message), status(s), type(std::move(t)) {}
};

}  // namespace bench::server
