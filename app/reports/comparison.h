#pragma once
// Comparing a run with its baseline, quantity by quantity (reports, `ternbench compare`, the
// Compare page). A quantity with raw values on both sides (a sample series such as "tok_s",
// or per-request ttft_ms / e2e_ms / tpot_ms) gets the ratio of medians with its bootstrap CI
// and a Mann-Whitney U test; a headline metric without raw values gets the plain ratio of the
// two figures and is marked "not tested". Only a significant U test is called faster/slower.
// Another form of the same figure (llama-bench's `ns` beside `tok_s`) is not compared twice.
// Which runs may be compared at all is pairing.h's rule.
#include <optional>
#include <string>
#include <vector>

#include "app/stats/compare.h"
#include "app/stats/regression.h"
#include "db/run_record.h"

namespace bench {

struct QuantityComparison {
    std::string quantity;                        // "tok_s", "e2e_ms", "peak_rss_mb", ...
    std::string unit;
    Direction direction = Direction::Unknown;
    // The same statistic on both sides, named in `statistic`: "median" (of the raw values, or
    // the stored NAME_median / *_p50 figure when one side has no raw values), else "figure" (the
    // stored figure of that name on both sides, e.g. a mean: no median exists for one side).
    std::string statistic;
    std::optional<double> baseline_value, current_value;
    int64_t n_baseline = 0, n_current = 0;
    RatioResult ratio;                           // current / baseline
    std::optional<MannWhitneyResult> test;       // only with raw values on both sides
    bool significant = false;
    std::string verdict;   // "faster", "slower", "higher", "lower", "no significant difference",
                           // "not tested (no raw samples)", "not comparable (...)"
};

struct RunComparison {
    const tbdb::RunRecord* baseline = nullptr;
    const tbdb::RunRecord* current = nullptr;
    std::vector<QuantityComparison> rows;
};

// Raw values per quantity of a run: its sample series, then ttft_ms / e2e_ms / tpot_ms from its
// requests (TPOT = (E2E - TTFT) / (output_tokens - 1), requests with >= 2 tokens) unless a series
// of that name exists. Units alongside.
struct RawSeries {
    std::string name, unit;
    std::vector<double> values;
};
std::vector<RawSeries> raw_series(const tbdb::RunRecord& run);

// Headline metric names compared when no raw values exist for them.
const std::vector<std::string>& headline_metric_names();

RunComparison compare_runs(const tbdb::RunRecord& baseline, const tbdb::RunRecord& current);

// Only completed runs have figures worth comparing: a failed, cancelled or interrupted run
// (current or baseline) is listed with its status, never put in a ratio.
bool comparable(const tbdb::RunRecord& run);

}  // namespace bench
