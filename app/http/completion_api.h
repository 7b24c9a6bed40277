#pragma once
// The completion request sent to an HTTP server and the meaning of each streamed event, for
// llama-server's `/completion` and the OpenAI-style `/v1/completions` (FORMATS.md section 7).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/http/endpoint.h"

namespace bench::http {

struct CompletionRequest {
    std::vector<int32_t> prompt;         // token ids: both sides of a comparison see one input
    int n_predict = 100;
    bool ignore_eos = false;
    float temperature = 0.7f, top_p = 0.9f;
    int top_k = 0;                       // 0 = off
    uint64_t seed = 42;
    std::vector<int32_t> forbid_tokens;  // logit_bias [[id, false], ...]
};

// JSON body: always streamed, cache_prompt false, and the samplers the engine lacks (min_p,
// typical_p, repetition penalties, DRY, XTC) set to their neutral values, so both sides sample
// with the same settings.
std::string completion_body(ApiKind api, const CompletionRequest& r);
inline const char* completion_path(ApiKind api) {
    return api == ApiKind::Completion ? "/completion" : "/v1/completions";
}

// llama-server's own timings of one request (the last event), all optional.
struct ServerTimings {
    std::optional<double> prompt_n, prompt_ms, predicted_n, predicted_ms;
};

struct StreamEvent {
    enum class Kind { Tokens, Done, Error };
    Kind kind = Kind::Tokens;
    int n_tokens = 0;             // tokens this event delivers (may be 0)
    std::vector<int32_t> ids;     // their ids when the server names them (/completion)
    std::string text;
    std::string error;            // Kind::Error
    std::string stop_type;        // Done: "limit", "eos", "length", "stop", ...
    std::optional<ServerTimings> timings;
};

// Interprets one event's data. Throws std::runtime_error for invalid JSON or a shape that is
// neither a token, an end nor an error.
StreamEvent interpret_event(ApiKind api, std::string_view data);

// The message of a JSON error body ({"error":{"message":...}}), else the first 200 bytes.
std::string error_message_of(std::string_view body);

}  // namespace bench::http
