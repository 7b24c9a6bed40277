#pragma once
// The JSON bodies of the llama-server-compatible API, shaped like the recorded responses in
// tests/fixtures/llama-server/ (FORMATS.md section 7). Field names follow llama-server; the
// values are this engine's.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "app/server/completion_request.h"
#include "engine/runtime/generate.h"

namespace bench::server {

struct ServerInfo;  // server_info.h

nlohmann::json error_body(int status, const std::string& message, const std::string& type);
nlohmann::json health_body();
nlohmann::json props_body(const ServerInfo& info);
nlohmann::json models_body(const ServerInfo& info);

// `timings` as llama-server reports them (prompt_ms from admission to the end of prefill,
// predicted_ms from the end of prefill to the last token).
nlohmann::json timings_body(const tern::GenerationResult& r);
// "limit" (n_predict or context), "eos", or "none" (cancelled / error).
const char* stop_type(const tern::GenerationResult& r);

// /completion: one streamed token event, and the final object (streamed: last event, with
// empty content; not streamed: the whole text).
nlohmann::json token_event(const std::string& content, int32_t id, int tokens_predicted, int prompt_tokens);
nlohmann::json completion_final(const ServerInfo& info, const CompletionRequest& req,
                                const tern::GenerationResult& r, bool streamed);

// /v1/completions: a streamed chunk (finish_reason null), and the final chunk / whole answer.
nlohmann::json v1_chunk(const ServerInfo& info, const std::string& id, const std::string& text);
nlohmann::json v1_final(const ServerInfo& info, const std::string& id, const tern::GenerationResult& r,
                        bool streamed);

// Serialises with invalid UTF-8 replaced (never throws on model output).
std::string dump(const nlohmann::json& j);

}  // namespace bench::server
