#include "app/server/routes.h"

#include <nlohmann/json.hpp>

#include "app/server/api_error.h"
#include "app/server/api_json.h"
#include "app/server/server_state.h"
#include "engine/model/model.h"
#include "engine/tokenizer/tokenizer.h"

namespace bench::server {
namespace {

using nlohmann::json;

json parse_object(const std::string& body) {
    json j;
    try {
        j = json::parse(body);
    } catch (const json::parse_error& e) {
        throw ApiError(400, std::string("invalid JSON: ") + e.what());
    }
    if (!j.is_object()) throw ApiError(400, "the request body must be a JSON object");
    return j;
}

json tokenize(const ServerState& state, const std::string& body) {
    const json j = parse_object(body);
    const auto content = j.find("content");
    if (content == j.end() || !content->is_string())
        throw ApiError(400, "field \"content\" must be a string");
    bool add_special = false;  // llama-server's default: no BOS
    if (const auto it = j.find("add_special"); it != j.end() && !it->is_null()) {
        if (!it->is_boolean()) throw ApiError(400, "field \"add_special\" must be true or false");
        add_special = it->get<bool>();
    }
    const auto& tok = state.model->tokenizer();
    return {{"tokens", tok.encode(content->get_ref<const std::string&>(), add_special && tok.vocab().add_bos)}};
}

json detokenize(const ServerState& state, const std::string& body) {
    const json j = parse_object(body);
    const auto tokens = j.find("tokens");
    if (tokens == j.end() || !tokens->is_array()) throw ApiError(400, "field \"tokens\" must be an array of token ids");
    const auto& tok = state.model->tokenizer();
    std::vector<int32_t> ids;
    for (const auto& v : *tokens) {
        if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() >= tok.n_vocab())
            throw ApiError(400, "field \"tokens\" contains an invalid token id " + v.dump());
        ids.push_back(v.get<int32_t>());
    }
    return {{"content", tok.decode(ids)}};
}

}  // namespace

Route route_of(const std::string& method, const std::string& target) {
    const std::string path = target.substr(0, target.find('?'));
    struct Entry { const char* path; const char* method; Route route; };
    static const Entry table[] = {
        {"/health", "GET", Route::Health},          {"/v1/health", "GET", Route::Health},
        {"/props", "GET", Route::Props},            {"/v1/models", "GET", Route::Models},
        {"/models", "GET", Route::Models},          {"/tokenize", "POST", Route::Tokenize},
        {"/detokenize", "POST", Route::Detokenize}, {"/completion", "POST", Route::Completion},
        {"/completions", "POST", Route::Completion}, {"/v1/completions", "POST", Route::V1Completion},
    };
    for (const auto& e : table) {
        if (path != e.path) continue;
        if (method != e.method)
            throw ApiError(405, std::string(e.path) + " expects " + e.method + ", got " + method, "invalid_request_error");
        return e.route;
    }
    return Route::NotFound;
}

json answer_simple(Route route, const ServerState& state, const std::string& body) {
    switch (route) {
        case Route::Health: return health_body();
        case Route::Props: return props_body(state.info);
        case Route::Models: return models_body(state.info);
        case Route::Tokenize: return tokenize(state, body);
        case Route::Detokenize: return detokenize(state, body);
        default: break;
    }
    throw ApiError(404, "File Not Found", "not_found_error");
}

}  // namespace bench::server
