#include "app/server/completion_request.h"

#include <cmath>
#include <limits>
#include <random>

#include <nlohmann/json.hpp>

#include "app/server/api_error.h"
#include "engine/model/model.h"
#include "engine/tokenizer/tokenizer.h"

namespace bench::server {
namespace {

using nlohmann::json;
constexpr float kForbid = -std::numeric_limits<float>::infinity();

ApiError field_error(const std::string& field, const std::string& what) {
    return ApiError(400, "field \"" + field + "\" " + what);
}

const json* find(const json& j, const char* key) {
    const auto it = j.find(key);
    return it == j.end() || it->is_null() ? nullptr : &*it;
}

int64_t get_int(const json& j, const char* key, int64_t def, int64_t lo, int64_t hi) {
    const json* v = find(j, key);
    if (!v) return def;
    if (!v->is_number_integer()) throw field_error(key, "must be an integer, got " + std::string(v->type_name()));
    const int64_t x = v->is_number_unsigned() && v->get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max())
                          ? std::numeric_limits<int64_t>::max()
                          : v->get<int64_t>();
    if (x < lo || x > hi)
        throw field_error(key, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + v->dump());
    return x;
}

double get_number(const json& j, const char* key, double def) {
    const json* v = find(j, key);
    if (!v) return def;
    if (!v->is_number()) throw field_error(key, "must be a number, got " + std::string(v->type_name()));
    const double x = v->get<double>();
    if (!std::isfinite(x)) throw field_error(key, "must be finite");
    return x;
}

bool get_bool(const json& j, const char* key, bool def) {
    const json* v = find(j, key);
    if (!v) return def;
    if (!v->is_boolean()) throw field_error(key, "must be true or false, got " + std::string(v->type_name()));
    return v->get<bool>();
}

void check_token(int32_t id, int32_t n_vocab, const std::string& where) {
    if (id < 0 || id >= n_vocab)
        throw ApiError(400, where + " contains an invalid token id " + std::to_string(id) + " (the vocabulary has ids 0.." +
                                std::to_string(n_vocab - 1) + ")");
}

int32_t token_id(const json& v, int32_t n_vocab, const std::string& where) {
    if (!v.is_number_integer()) throw ApiError(400, where + " must hold integer token ids, got " + std::string(v.type_name()));
    const int64_t x = v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max())
                          ? std::numeric_limits<int64_t>::max()
                          : v.get<int64_t>();
    if (x < std::numeric_limits<int32_t>::min() || x > std::numeric_limits<int32_t>::max())
        throw ApiError(400, where + " contains an invalid token id " + v.dump());
    check_token(static_cast<int32_t>(x), n_vocab, where);
    return static_cast<int32_t>(x);
}

// A bias value: a number, or false to forbid (true means no change, as in llama-server).
std::optional<float> bias_value(const json& v) {
    if (v.is_boolean()) return v.get<bool>() ? std::nullopt : std::optional<float>(kForbid);
    if (!v.is_number()) throw field_error("logit_bias", "values must be numbers or false, got " + std::string(v.type_name()));
    const double b = v.get<double>();
    if (std::isnan(b)) throw field_error("logit_bias", "values must not be NaN");
    // Very negative biases forbid, like -inf (JSON cannot spell -inf).
    return b <= -1e30 ? kForbid : static_cast<float>(b);
}

std::vector<int32_t> bias_targets(const json& key, const tern::Model& model) {
    const int32_t n_vocab = model.tokenizer().n_vocab();
    if (key.is_string()) {
        const std::string& s = key.get_ref<const std::string&>();
        // Object keys are strings: digits name a token id, anything else is text to tokenize.
        if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos) {
            if (s.size() > 9) throw ApiError(400, "logit_bias contains an invalid token id " + s);
            const int32_t id = std::stoi(s);
            check_token(id, n_vocab, "logit_bias");
            return {id};
        }
        return model.tokenizer().encode(s, false);
    }
    return {token_id(key, n_vocab, "logit_bias")};
}

std::vector<int32_t> parse_prompt(const json& j, const tern::Model& model) {
    const json* p = find(j, "prompt");
    if (!p) throw ApiError(400, "missing field \"prompt\" (a string or an array of token ids)");
    const auto& tok = model.tokenizer();
    if (p->is_string()) {
        // As llama-server: text prompts get the model's special tokens (BOS when it adds one).
        return tok.encode(p->get_ref<const std::string&>(), tok.vocab().add_bos);
    }
    if (p->is_array()) {
        std::vector<int32_t> ids;
        ids.reserve(p->size());
        for (const auto& v : *p) ids.push_back(token_id(v, tok.n_vocab(), "prompt"));
        return ids;
    }
    throw field_error("prompt", "must be a string or an array of token ids, got " + std::string(p->type_name()));
}

}  // namespace

std::vector<std::pair<int32_t, float>> parse_logit_bias(const json& value, const tern::Model& model) {
    std::vector<std::pair<int32_t, float>> out;
    const auto add = [&](const json& key, const json& val) {
        const auto b = bias_value(val);
        if (!b) return;
        for (int32_t id : bias_targets(key, model)) out.push_back({id, *b});
    };
    if (value.is_null()) return out;
    if (value.is_array()) {
        for (const auto& pair : value) {
            if (!pair.is_array() || pair.size() != 2)
                throw field_error("logit_bias", "must be a list of [token, bias] pairs");
            add(pair[0], pair[1]);
        }
    } else if (value.is_object()) {
        for (const auto& [key, val] : value.items()) add(json(key), val);
    } else {
        throw field_error("logit_bias", "must be an array of [token, bias] pairs or an object, got " +
                                            std::string(value.type_name()));
    }
    return out;
}

CompletionRequest parse_completion(const std::string& body, Api api, const tern::Model& model, int64_t n_ctx) {
    json j;
    try {
        j = json::parse(body);
    } catch (const json::parse_error& e) {
        throw ApiError(400, std::string("invalid JSON: ") + e.what());
    }
    if (!j.is_object()) throw ApiError(400, "the request body must be a JSON object");

    CompletionRequest r;
    r.api = api;
    r.prompt = parse_prompt(j, model);
    if (r.prompt.empty()) throw field_error("prompt", "is empty (no tokens)");
    r.prompt_text = model.tokenizer().decode(r.prompt);
    if (int64_t(r.prompt.size()) >= n_ctx)
        throw ApiError(400, "the prompt has " + std::to_string(r.prompt.size()) + " tokens; the context holds " +
                                std::to_string(n_ctx) + " (prompt and at least one new token)",
                       "exceed_context_size_error");

    // /v1/completions calls it max_tokens; both names are accepted on both endpoints.
    const int64_t imax = std::numeric_limits<int32_t>::max();
    int64_t n = get_int(j, "n_predict", -1, -1, imax);
    if (find(j, "max_tokens")) n = get_int(j, "max_tokens", -1, -1, imax);
    r.n_predict = static_cast<int>(n);
    // Unlimited: until end of generation or a full context (the Scheduler stops there).
    r.params.max_tokens = n < 0 ? static_cast<int>(n_ctx) : static_cast<int>(n);
    r.params.stop_at_eog = !get_bool(j, "ignore_eos", false);
    r.stream = get_bool(j, "stream", false);
    r.return_tokens = get_bool(j, "return_tokens", false);
    (void)get_bool(j, "cache_prompt", true);  // accepted; this server keeps no prompt cache
    (void)get_number(j, "min_p", 0.05);        // accepted, not applied (see the header)

    auto& s = r.params.sampling;
    s.temperature = static_cast<float>(get_number(j, "temperature", 0.8));
    s.top_k = static_cast<int32_t>(get_int(j, "top_k", 40, std::numeric_limits<int32_t>::min(), imax));
    if (s.top_k < 0) s.top_k = 0;  // llama-server: <= 0 is off
    s.top_p = static_cast<float>(get_number(j, "top_p", 0.95));
    const int64_t seed = get_int(j, "seed", -1, -1, std::numeric_limits<int64_t>::max());
    r.random_seed = seed == -1 || seed == 4294967295LL;  // llama-server's "random" spellings
    s.seed = r.random_seed ? std::random_device{}() : static_cast<uint64_t>(seed);
    if (const json* lb = find(j, "logit_bias")) s.logit_bias = parse_logit_bias(*lb, model);
    return r;
}

}  // namespace bench::server
