#include "app/http/completion_api.h"

#include <stdexcept>

#include <nlohmann/json.hpp>

namespace bench::http {
namespace {

using nlohmann::json;

std::optional<double> number_at(const json& j, const char* key) {
    if (j.contains(key) && j[key].is_number()) return j[key].get<double>();
    return std::nullopt;
}

std::optional<ServerTimings> timings_of(const json& j) {
    if (!j.contains("timings") || !j["timings"].is_object()) return std::nullopt;
    const auto& t = j["timings"];
    return ServerTimings{number_at(t, "prompt_n"), number_at(t, "prompt_ms"),
                         number_at(t, "predicted_n"), number_at(t, "predicted_ms")};
}

std::string error_text(const json& err) {
    if (err.is_string()) return err.get<std::string>();
    if (err.is_object() && err.contains("message") && err["message"].is_string()) {
        std::string m = err["message"].get<std::string>();
        if (err.contains("code") && err["code"].is_number_integer())
            m = "server error " + std::to_string(err["code"].get<int>()) + ": " + m;
        return m;
    }
    return err.dump().substr(0, 200);
}

std::string clip(std::string_view s, size_t n = 200) {
    return std::string(s.substr(0, n)) + (s.size() > n ? "..." : "");
}

}  // namespace

std::string completion_body(ApiKind api, const CompletionRequest& r) {
    json j;
    j["prompt"] = r.prompt;
    j[api == ApiKind::Completion ? "n_predict" : "max_tokens"] = r.n_predict;
    j["stream"] = true;
    j["cache_prompt"] = false;
    j["ignore_eos"] = r.ignore_eos;
    j["temperature"] = r.temperature;
    j["top_k"] = r.top_k;
    j["top_p"] = r.top_p;
    j["seed"] = r.seed;
    j["min_p"] = 0.0;
    j["typical_p"] = 1.0;
    j["repeat_penalty"] = 1.0;
    j["presence_penalty"] = 0.0;
    j["frequency_penalty"] = 0.0;
    j["dry_multiplier"] = 0.0;
    j["xtc_probability"] = 0.0;
    if (!r.forbid_tokens.empty()) {
        json bias = json::array();
        for (int32_t id : r.forbid_tokens) bias.push_back(json::array({id, false}));
        j["logit_bias"] = std::move(bias);
    }
    return j.dump();
}

StreamEvent interpret_event(ApiKind api, std::string_view data) {
    StreamEvent ev;
    if (api == ApiKind::OpenAiV1 && data == "[DONE]") {
        ev.kind = StreamEvent::Kind::Done;
        ev.stop_type = "done";
        return ev;
    }
    json j = json::parse(data, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) throw std::runtime_error("invalid JSON in a stream event: " + clip(data));
    if (!j.is_object()) throw std::runtime_error("stream event is not a JSON object: " + clip(data));
    if (j.contains("error")) {
        ev.kind = StreamEvent::Kind::Error;
        ev.error = error_text(j["error"]);
        return ev;
    }
    ev.timings = timings_of(j);
    if (api == ApiKind::Completion) {
        if (!j.contains("content") && !j.contains("tokens") && !j.contains("stop"))
            throw std::runtime_error("stream event without content, tokens or stop: " + clip(data));
        if (j.contains("content") && j["content"].is_string()) ev.text = j["content"].get<std::string>();
        if (j.contains("tokens") && j["tokens"].is_array()) {
            for (const auto& t : j["tokens"])
                ev.ids.push_back(t.is_number_integer() ? t.get<int32_t>() : -1);
            ev.n_tokens = int(ev.ids.size());
        }
        else if (!ev.text.empty()) ev.n_tokens = 1;  // older servers: one event per token
        if (j.value("stop", false)) {
            ev.kind = StreamEvent::Kind::Done;
            if (j.contains("stop_type") && j["stop_type"].is_string()) ev.stop_type = j["stop_type"].get<std::string>();
        }
        return ev;
    }
    if (!j.contains("choices") || !j["choices"].is_array() || j["choices"].empty() || !j["choices"][0].is_object())
        throw std::runtime_error("stream event without choices: " + clip(data));
    const auto& c = j["choices"][0];
    if (c.contains("text") && c["text"].is_string()) ev.text = c["text"].get<std::string>();
    const bool finished = c.contains("finish_reason") && c["finish_reason"].is_string();
    // One event per token; the closing event (finish_reason set) carries text only when the
    // server flushes held-back bytes with it.
    ev.n_tokens = (!finished || !ev.text.empty()) ? 1 : 0;
    if (finished) ev.stop_type = c["finish_reason"].get<std::string>();
    // The end is `data: [DONE]`; the finishing event is a token event carrying usage/timings.
    return ev;
}

std::string error_message_of(std::string_view body) {
    json j = json::parse(body, nullptr, false);
    if (!j.is_discarded() && j.is_object() && j.contains("error")) return error_text(j["error"]);
    return clip(body);
}

}  // namespace bench::http
