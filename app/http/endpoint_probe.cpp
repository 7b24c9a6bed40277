#include "app/http/endpoint_probe.h"

#include <algorithm>
#include <stdexcept>

namespace bench::http {
namespace {

bool contains_ci(std::string hay, std::string needle) {
    std::transform(hay.begin(), hay.end(), hay.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    std::transform(needle.begin(), needle.end(), needle.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return hay.find(needle) != std::string::npos;
}

}  // namespace

ImplementationGuess detect_server_implementation(const std::string& server_header, const std::string& build_info,
                                                 const std::string& model_ftype, const std::string& version_text,
                                                 const std::string& model_type) {
    if (contains_ci(server_header, "ternbench")) return {"ternbench", "its Server header names ternbench", true, {}, {}};
    // Only what identifies a build: the rest of /props would read as a fork's unknown fields.
    ProgramReport report;
    if (!build_info.empty()) report.fields["build_info"] = build_info;
    if (!model_ftype.empty()) report.fields["model_ftype"] = model_ftype;
    report.version_text = version_text;
    report.model_type = model_type;
    ImplementationGuess g = detect_implementation(report);
    if (!g.known && g.unknown_fields.empty()) {   // the rule's fallback names a llama-bench
        g.name = build_info.empty() ? std::string("unidentified server") : "unidentified server " + build_info;
        g.reason = "the server reports no build or version that names an implementation";
    }
    return g;
}

EndpointInfo probe_endpoint(const Endpoint& ep, const std::string& api_choice, const HttpLimits& limits) {
    EndpointInfo info;
    info.endpoint = ep;
    HttpLimits small = limits;
    small.max_body = std::min<size_t>(limits.max_body, size_t(4) << 20);
    const auto health = http_call(ep, "/health", "", small);
    if (!health.error.empty()) throw std::runtime_error(health.error);
    // A server without /health (some OpenAI-style ones) still counts as up when it answers.
    if (health.status == 503) throw std::runtime_error("server at " + ep.url() + " is not ready: " + health.describe());
    info.server_header = health.server;
    const auto props = http_call(ep, "/props", "", small);
    if (props.ok()) {
        info.props = nlohmann::json::parse(props.body, nullptr, false);
        if (info.props.is_discarded() || !info.props.is_object()) info.props = nullptr;
        if (info.server_header.empty()) info.server_header = props.server;
    }
    if (info.props.is_object()) {
        if (info.props.contains("build_info") && info.props["build_info"].is_string())
            info.build = info.props["build_info"].get<std::string>();
        if (info.props.contains("model_ftype") && info.props["model_ftype"].is_string())
            info.model_ftype = info.props["model_ftype"].get<std::string>();
        if (info.props.contains("model_path") && info.props["model_path"].is_string())
            info.model_path = info.props["model_path"].get<std::string>();
        if (info.props.contains("total_slots") && info.props["total_slots"].is_number_integer())
            info.total_slots = info.props["total_slots"].get<int>();
    }
    const auto guess = detect_server_implementation(info.server_header, info.build, info.model_ftype, "");
    info.implementation = guess.name;
    info.implementation_reason = guess.reason;

    if (api_choice == "completion" || api_choice == "v1") {
        info.api = api_choice == "completion" ? ApiKind::Completion : ApiKind::OpenAiV1;
        info.api_reason = "--api " + api_choice;
        return info;
    }
    if (api_choice != "auto") throw std::runtime_error("unknown API '" + api_choice + "' (auto, completion or v1)");
    // llama-server-compatible servers answer /props; OpenAI-style ones list /v1/models.
    if (info.props.is_object()) {
        info.api = ApiKind::Completion;
        info.api_reason = "autodetected: /props answered (llama-server API)";
        return info;
    }
    const auto models = http_call(ep, "/v1/models", "", small);
    if (models.ok()) {
        info.api = ApiKind::OpenAiV1;
        info.api_reason = "autodetected: no /props, /v1/models answered (OpenAI-style API)";
        return info;
    }
    info.api = ApiKind::Completion;
    info.api_reason = "not detectable (no /props, no /v1/models): assumed /completion";
    return info;
}

std::vector<int32_t> tokenize_remote(const Endpoint& ep, const std::string& text, bool add_special,
                                     const HttpLimits& limits) {
    const nlohmann::json body = {{"content", text}, {"add_special", add_special}};
    const auto res = http_call(ep, "/tokenize", body.dump(), limits);
    if (!res.ok()) throw std::runtime_error("tokenizing a prompt on the server failed: " + res.describe());
    const auto j = nlohmann::json::parse(res.body, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("tokens") || !j["tokens"].is_array())
        throw std::runtime_error("the server's /tokenize answer has no token list");
    std::vector<int32_t> ids;
    for (const auto& t : j["tokens"]) {
        if (!t.is_number_integer()) throw std::runtime_error("the server's /tokenize answer holds a non-integer token");
        ids.push_back(t.get<int32_t>());
    }
    return ids;
}

}  // namespace bench::http
