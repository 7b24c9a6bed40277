#pragma once
// History compares like with like: its charts show one experiment at a time (run_config.h:
// model file, test and sizes, threads, settings), one series per implementation setup. The
// choices offered, the series a run belongs to and why a chart has nothing to draw, as plain
// data for the History page (no Qt here).
#include <string>
#include <vector>

#include "app/reports/run_config.h"

namespace bench {

struct ConfigChoice {
    std::string experiment_key;   // RunConfig::experiment_key()
    std::string label;            // "tiny-tq2_0.gguf, tg128, 2 threads, kv f16 (6 runs)"
    std::string workload;
    int runs = 0;
    std::string newest;           // started_at of its newest run
};

// The experiments the runs hold (configs[i] belongs to started_at[i]), newest first: the first
// is the History's default.
std::vector<ConfigChoice> configuration_choices(const std::vector<RunConfig>& configs,
                                                const std::vector<std::string>& started_at);

// A History series: one implementation with the same switches ("ik_llama.cpp" and
// "ik_llama.cpp -rtr 1" are two series).
std::string series_key(const RunConfig& c);
// Its legend name: the implementation, plus the extra program flags when it has some.
std::string series_name(const RunConfig& c);

// The History page's charts: per-request latency, throughput, and fidelity (perplexity, KLD).
enum class HistoryChart { Latency, Throughput, Fidelity };

// Why `chart` over runs of `workload` has no point, in words; runs: how many runs it was given.
std::string empty_chart_reason(HistoryChart chart, const std::string& workload, int runs);

}  // namespace bench
