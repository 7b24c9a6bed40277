#include "app/reports/implementations_found.h"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

namespace bench {
namespace {

void add_unique(std::vector<std::string>& list, const std::string& value) {
    if (!value.empty() && std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

// llama-bench runs keep the reason at the top of their config; server baselines and runs over
// HTTP keep it in their "server" / "http" object.
std::string detected_by(const std::string& config_json) {
    const auto cfg = nlohmann::json::parse(config_json, nullptr, false);
    if (!cfg.is_object()) return {};
    for (const auto* where : {&cfg, cfg.contains("server") ? &cfg["server"] : nullptr, cfg.contains("http") ? &cfg["http"] : nullptr}) {
        if (!where || !where->is_object()) continue;
        const auto it = where->find("implementation_detected_by");
        if (it != where->end() && it->is_string()) return it->get<std::string>();
    }
    return {};
}

}  // namespace

std::vector<ImplementationFound> implementations_found(const std::vector<tbdb::RunSummary>& runs) {
    // Newest first, so the lists start with what the latest runs used.
    std::vector<const tbdb::RunSummary*> order;
    for (const auto& r : runs) order.push_back(&r);
    std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->started_at > b->started_at; });

    std::map<std::string, ImplementationFound> by_name;
    for (const auto* r : order) {
        const std::string name = r->implementation.empty() ? std::string("(unknown)") : r->implementation;
        ImplementationFound& f = by_name[name];
        if (f.runs == 0) {
            f.implementation = name;
            f.newest = r->started_at;
            f.told_by = detected_by(r->config_json);
        }
        ++f.runs;
        f.ours = f.ours || !r->kernel.empty();
        add_unique(f.builds, r->impl_version);
        add_unique(f.programs, r->source);
    }
    std::vector<ImplementationFound> out;
    for (auto& [name, f] : by_name) out.push_back(std::move(f));
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.ours > b.ours; });
    return out;
}

}  // namespace bench
