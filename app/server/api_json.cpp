#include "app/server/api_json.h"

#include <chrono>
#include <cmath>

#include "app/server/server_info.h"

namespace bench::server {
namespace {

using nlohmann::json;

double ms(tern::Clock::time_point a, tern::Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

// Per-token and per-second figures; 0 (not NaN/inf, which JSON cannot carry) when undefined.
double ratio(double num, double den) { return den > 0 ? num / den : 0.0; }

json logit_bias_json(const tern::SamplerParams& s) {
    json out = json::array();
    for (const auto& [id, bias] : s.logit_bias) {
        json b = std::isinf(bias) ? json(nullptr) : json(bias);  // llama-server prints -inf as null
        out.push_back({{"bias", b}, {"token", id}});
    }
    return out;
}

json generation_settings(const CompletionRequest& req) {
    const auto& s = req.params.sampling;
    return {{"seed", s.seed},
            {"temperature", s.temperature},
            {"top_k", s.top_k},
            {"top_p", s.top_p},
            {"stop", json::array()},
            {"max_tokens", req.n_predict},
            {"n_predict", req.n_predict},
            {"ignore_eos", !req.params.stop_at_eog},
            {"stream", req.stream},
            {"logit_bias", logit_bias_json(s)},
            {"samplers", {"logit_bias", "top_k", "temperature", "top_p"}}};
}

}  // namespace

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json error_body(int status, const std::string& message, const std::string& type) {
    return {{"error", {{"code", status}, {"message", message}, {"type", type}}}};
}

json health_body() { return {{"status", "ok"}}; }

json props_body(const ServerInfo& info) {
    const json params = {{"seed", 4294967295u}, {"temperature", 0.8}, {"top_k", 40}, {"top_p", 0.95},
                         {"max_tokens", -1}, {"n_predict", -1}, {"ignore_eos", false}, {"stream", false},
                         {"n_probs", 0}, {"samplers", {"logit_bias", "top_k", "temperature", "top_p"}}};
    return {{"default_generation_settings", {{"params", params}, {"n_ctx", info.n_ctx}}},
            {"total_slots", info.total_slots},
            {"model_alias", info.model_alias},
            {"model_ftype", info.ftype},
            {"model_path", info.model_path},
            {"modalities", {{"vision", false}, {"video", false}, {"audio", false}}},
            {"endpoint_slots", false},
            {"endpoint_props", false},
            {"endpoint_metrics", false},
            {"bos_token", info.bos_token},
            {"eos_token", info.eos_token},
            {"build_info", info.build_info},
            {"is_sleeping", false}};
}

json models_body(const ServerInfo& info) {
    const json meta = {{"vocab_type", true},  // as recorded from llama-server (a boolean there)
                       {"n_vocab", info.n_vocab}, {"n_ctx", info.n_ctx}, {"n_ctx_train", info.n_ctx_train},
                       {"n_embd", info.n_embd}, {"n_params", info.n_params}, {"size", info.size_bytes},
                       {"ftype", info.ftype}};
    const json model = {{"name", info.model_alias}, {"model", info.model_alias}, {"type", "model"},
                        {"capabilities", {"completion"}}, {"details", {{"format", "gguf"}}}};
    return {{"models", json::array({model})},
            {"object", "list"},
            {"data", json::array({{{"id", info.model_alias},
                                   {"aliases", {info.model_alias}},
                                   {"tags", json::array()},
                                   {"object", "model"},
                                   {"created", info.created},
                                   {"owned_by", "ternbench"},
                                   {"meta", meta}}})}};
}

json timings_body(const tern::GenerationResult& r) {
    const int prompt_n = r.prompt_tokens;
    const int predicted_n = static_cast<int>(r.tokens.size());
    const double prompt_ms = ms(r.started, r.prefill_done);
    const double predicted_ms = predicted_n > 0 ? ms(r.prefill_done, r.last_token) : 0.0;
    return {{"cache_n", 0},
            {"prompt_n", prompt_n},
            {"prompt_ms", prompt_ms},
            {"prompt_per_token_ms", ratio(prompt_ms, prompt_n)},
            {"prompt_per_second", ratio(1000.0 * prompt_n, prompt_ms)},
            {"predicted_n", predicted_n},
            {"predicted_ms", predicted_ms},
            {"predicted_per_token_ms", ratio(predicted_ms, predicted_n)},
            {"predicted_per_second", ratio(1000.0 * predicted_n, predicted_ms)}};
}

const char* stop_type(const tern::GenerationResult& r) {
    switch (r.stop) {
        case tern::StopReason::MaxTokens:
        case tern::StopReason::ContextFull: return "limit";
        case tern::StopReason::EndOfGeneration: return "eos";
        case tern::StopReason::Cancelled:
        case tern::StopReason::Error: return "none";
    }
    return "none";
}

json token_event(const std::string& content, int32_t id, int tokens_predicted, int prompt_tokens) {
    return {{"index", 0}, {"content", content}, {"tokens", {id}}, {"stop", false}, {"id_slot", -1},
            {"tokens_predicted", tokens_predicted}, {"tokens_evaluated", prompt_tokens}};
}

json completion_final(const ServerInfo& info, const CompletionRequest& req, const tern::GenerationResult& r,
                      bool streamed) {
    const int predicted = static_cast<int>(r.tokens.size());
    const bool list_tokens = !streamed && req.return_tokens;
    return {{"index", 0},
            {"content", streamed ? std::string() : r.text},
            {"tokens", list_tokens ? json(r.tokens) : json::array()},
            {"id_slot", 0},
            {"stop", true},
            {"model", info.model_alias},
            {"tokens_predicted", predicted},
            {"tokens_evaluated", r.prompt_tokens},
            {"generation_settings", generation_settings(req)},
            {"prompt", req.prompt_text},
            {"has_new_line", r.text.find('\n') != std::string::npos},
            {"truncated", r.stop == tern::StopReason::ContextFull},
            {"stop_type", stop_type(r)},
            {"stopping_word", ""},
            {"tokens_cached", r.prompt_tokens + predicted},
            {"timings", timings_body(r)}};
}

json v1_chunk(const ServerInfo& info, const std::string& id, const std::string& text) {
    return {{"choices", json::array({{{"text", text}, {"index", 0}, {"logprobs", nullptr}, {"finish_reason", nullptr}}})},
            {"created", info.created},
            {"model", info.model_alias},
            {"system_fingerprint", info.build_info},
            {"object", "text_completion"},
            {"id", id}};
}

json v1_final(const ServerInfo& info, const std::string& id, const tern::GenerationResult& r, bool streamed) {
    const int predicted = static_cast<int>(r.tokens.size());
    const char* finish = r.stop == tern::StopReason::EndOfGeneration ? "stop" : "length";
    json j = v1_chunk(info, id, streamed ? std::string() : r.text);
    j["choices"][0]["finish_reason"] = finish;
    j["usage"] = {{"completion_tokens", predicted},
                  {"prompt_tokens", r.prompt_tokens},
                  {"total_tokens", r.prompt_tokens + predicted},
                  {"prompt_tokens_details", {{"cached_tokens", 0}}}};
    j["timings"] = timings_body(r);
    return j;
}

}  // namespace bench::server
