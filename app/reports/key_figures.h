#pragma once
// The few figures the History table and charts show for every run, chosen from the run's
// stored metrics. A figure a run does not have stays empty (shown as missing).
#include <optional>
#include <string>
#include <vector>

#include "db/run_record.h"

namespace bench {

enum class KeyFigure { Throughput, LatencyP50, LatencyP95, TtftP50, Perplexity, KlDivergence };
inline constexpr int kKeyFigureCount = 6;

struct KeyFigureInfo {
    const char* label;      // column / axis title
    const char* unit;
    // Metric names to look for, in order of preference (workloads name their headline
    // figure differently: e2e latency for single/batch, tok/s for pp/tg ...).
    std::vector<std::string> candidates;
};

const KeyFigureInfo& key_figure_info(KeyFigure f);
// The value of the first candidate metric that the run has and that was measured.
std::optional<double> key_figure(const std::vector<tbdb::Metric>& metrics, KeyFigure f);

}  // namespace bench
