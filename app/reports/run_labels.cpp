#include "app/reports/run_labels.h"

#include <nlohmann/json.hpp>

namespace bench {
namespace {

int64_t config_int(const nlohmann::json& cfg, const char* key) {
    auto it = cfg.find(key);
    if (it == cfg.end()) return 0;
    if (it->is_number()) return it->get<int64_t>();
    return 0;
}

}  // namespace

std::string workload_label(const tbdb::RunRecord& run) {
    if (run.workload != "pp" && run.workload != "tg" && run.workload != "pg") return run.workload;
    const auto cfg = nlohmann::json::parse(run.config_json, nullptr, false);
    if (!cfg.is_object()) return run.workload;
    const int64_t n_prompt = config_int(cfg, "n_prompt"), n_gen = config_int(cfg, "n_gen"),
                  n_depth = config_int(cfg, "n_depth");
    std::string label;
    if (run.workload == "pp")
        label = "pp" + std::to_string(n_prompt);
    else if (run.workload == "tg")
        label = "tg" + std::to_string(n_gen);
    else
        label = "pp" + std::to_string(n_prompt) + "+tg" + std::to_string(n_gen);
    if (n_depth > 0) label += " @ d" + std::to_string(n_depth);
    return label;
}

std::string implementation_label(const tbdb::RunRecord& run) {
    std::string s = run.implementation.empty() ? std::string("unknown implementation") : run.implementation;
    if (!run.impl_version.empty()) s += " " + run.impl_version;
    if (run_over_http(run)) s += " over HTTP";
    return s;
}

bool run_over_http(const tbdb::RunRecord& run) {
    if (run.config_json.find("\"over_http\"") == std::string::npos) return false;  // cheap pre-check
    const auto j = nlohmann::json::parse(run.config_json, nullptr, false);
    return j.is_object() && j.contains("http") && j["http"].is_object() && j["http"].value("over_http", false);
}

std::string run_label(const tbdb::RunRecord& run) {
    std::string s = "#";
    s += std::to_string(run.id) + " " + workload_label(run) + " " + implementation_label(run);
    if (run.threads > 0) s += ", " + std::to_string(run.threads) + (run.threads == 1 ? " thread" : " threads");
    return s;
}

std::string quantity_label(const std::string& name, const std::string& unit) {
    return unit.empty() ? name : name + " (" + unit + ")";
}

}  // namespace bench
