#include "app/reports/run_differences.h"

#include <nlohmann/json.hpp>

namespace bench {

std::vector<std::string> configuration_differences(const tbdb::RunRecord& baseline, const tbdb::RunRecord& current) {
    std::vector<std::string> out;
    auto differs = [&](const std::string& what, const std::string& a, const std::string& b) {
        if (a != b) out.push_back(what + " differs: " + a + " (baseline) vs " + b + " (current)");
    };
    differs("workload", baseline.workload, current.workload);
    differs("threads", std::to_string(baseline.threads), std::to_string(current.threads));
    if (!baseline.model.sha256.empty() && !current.model.sha256.empty())
        differs("model (sha256)", baseline.model.sha256.substr(0, 12), current.model.sha256.substr(0, 12));
    else
        differs("model", baseline.model.path, current.model.path);
    // Settings both configurations record (ours and llama-bench's share the token counts).
    const auto a = nlohmann::json::parse(baseline.config_json, nullptr, false);
    const auto b = nlohmann::json::parse(current.config_json, nullptr, false);
    if (!a.is_object() || !b.is_object()) return out;
    for (const char* key : {"n_prompt", "n_gen", "max_tokens", "concurrency", "kv_type", "n_ctx", "temperature",
                            "top_p", "top_k", "arrival_rate", "duration_s"}) {
        if (!a.contains(key) || !b.contains(key)) continue;
        // Token counts only matter for the workloads that use them.
        const std::string k = key;
        if (k == "n_prompt" && baseline.workload != "pp") continue;
        if (k == "n_gen" && baseline.workload != "tg") continue;
        differs(k, a[key].dump(), b[key].dump());
    }
    return out;
}

}  // namespace bench
