#include "app/reports/history_configs.h"

#include <algorithm>
#include <map>

namespace bench {

std::vector<ConfigChoice> configuration_choices(const std::vector<RunConfig>& configs,
                                                const std::vector<std::string>& started_at) {
    std::map<std::string, ConfigChoice> by_key;
    for (size_t i = 0; i < configs.size(); ++i) {
        ConfigChoice& c = by_key[configs[i].experiment_key()];
        if (c.runs == 0) {
            c.experiment_key = configs[i].experiment_key();
            c.label = configs[i].describe();
            c.workload = configs[i].workload;
        }
        ++c.runs;
        const std::string& t = i < started_at.size() ? started_at[i] : std::string();
        if (t > c.newest) c.newest = t;
    }
    std::vector<ConfigChoice> out;
    for (auto& [key, c] : by_key) {
        c.label += " (" + std::to_string(c.runs) + (c.runs == 1 ? " run)" : " runs)");
        out.push_back(std::move(c));
    }
    std::stable_sort(out.begin(), out.end(), [](const ConfigChoice& a, const ConfigChoice& b) { return a.newest > b.newest; });
    return out;
}

std::string series_key(const RunConfig& c) {
    std::string k = c.implementation;
    for (const auto& [name, value] : c.switches) k += "|" + name + "=" + value;
    return k;
}

std::string series_name(const RunConfig& c) {
    std::string name = c.implementation.empty() ? std::string("(unknown)") : c.implementation;
    for (const auto& [key, value] : c.switches)
        if (key == "args") name += " " + value;
    return name;
}

std::string empty_chart_reason(HistoryChart chart, const std::string& workload, int runs) {
    if (runs == 0) return "No runs of this configuration match the filters.";
    if (chart == HistoryChart::Fidelity) {
        if (workload != "perplexity")
            return workload + " runs measure no perplexity; fidelity comes from perplexity runs.";
        return "These perplexity runs stored no perplexity figure (failed or unfinished runs measure none).";
    }
    if (chart == HistoryChart::Latency) {
        if (workload == "pp" || workload == "tg" || workload == "pg" || workload == "kernel")
            return workload + " runs have no per-request latency; latency comes from single, batch, stream, server.";
        return "These " + workload + " runs stored no latency figure (failed or unfinished runs measure none).";
    }
    if (workload == "load")
        return "load runs measure load time, not throughput; see the latency chart.";
    return "These " + workload + " runs stored no throughput figure (failed or unfinished runs measure none).";
}

}  // namespace bench
