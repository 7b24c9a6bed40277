#pragma once
// The endpoints that answer at once (everything but the completions): which path, which
// method, and the JSON they return. Errors are thrown as ApiError.
#include <string>

#include <nlohmann/json.hpp>

namespace bench::server {

struct ServerState;

enum class Route { Health, Props, Models, Tokenize, Detokenize, Completion, V1Completion, NotFound };

// Which endpoint a request target names (query string ignored). Throws ApiError 405 for a
// known path with the wrong method.
Route route_of(const std::string& method, const std::string& target);

// Answers Health, Props, Models, Tokenize, Detokenize.
nlohmann::json answer_simple(Route route, const ServerState& state, const std::string& body);

}  // namespace bench::server
