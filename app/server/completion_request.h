#pragma once
// Parsing and validation of a /completion or /v1/completions body into what the Scheduler
// needs. Anything wrong throws ApiError (400) naming the field and the problem.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "engine/runtime/generate.h"

namespace tern { class Model; }

namespace bench::server {

enum class Api { Native, OpenAI };  // /completion (llama-server) or /v1/completions

struct CompletionRequest {
    Api api = Api::Native;
    std::vector<int32_t> prompt;
    std::string prompt_text;        // the prompt's text (decoded when ids were sent)
    tern::GenerationParams params;  // max_tokens, sampling (with logit_bias), stop_at_eog
    int n_predict = -1;             // as asked (-1 = until the context is full or end of generation)
    bool stream = false;
    bool return_tokens = false;     // non-streamed answers list the generated ids
    bool random_seed = false;       // no seed (or -1) was given: one was drawn
};

// Sampler defaults are llama-server's (temperature 0.8, top_k 40, top_p 0.95; it also applies
// min_p 0.05, which this engine does not have: the field is accepted and ignored).
CompletionRequest parse_completion(const std::string& body, Api api, const tern::Model& model, int64_t n_ctx);

// Parses `logit_bias` in any of llama-server's forms: [[id, bias|false], ...], [["text", bias]],
// or {"id": bias}; false (or -inf-like values) forbids the token. Throws ApiError.
std::vector<std::pair<int32_t, float>> parse_logit_bias(const nlohmann::json& value, const tern::Model& model);

}  // namespace bench::server
