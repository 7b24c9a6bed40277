#pragma once
// What the Compare page shows, as plain data: every metric of two or more runs side by side,
// and for every run after the first (the reference) the ratio to the reference with its
// confidence interval and significance as computed by app/reports compare_runs (app/stats).
// No Qt here.
#include <optional>
#include <string>
#include <vector>

#include "db/run_record.h"

namespace tbui {

struct Comparison {                  // one run against the reference, for one metric
    std::optional<double> ratio;     // run / reference
    std::optional<double> ci_low, ci_high;
    std::optional<double> p_value;
    std::optional<bool> significant;
    std::string note;                // e.g. "n < 9: too few samples", "no raw samples"
};

struct CompareRow {
    std::string metric, unit;
    std::vector<std::optional<double>> values;   // one per run
    std::vector<Comparison> vs_reference;        // one per run after the first
};

struct CompareTable {
    std::vector<std::string> run_labels;          // "#12 single ternbench/avx2"
    std::vector<CompareRow> rows;
    std::string method;                           // how ratios/CI/significance were computed
};

CompareTable build_compare_table(const std::vector<tbdb::RunRecord>& runs);
std::string run_label(const tbdb::RunRecord& run);

// Per-request end-to-end latencies (ms), measured ones only.
std::vector<double> request_latencies(const tbdb::RunRecord& run);

}  // namespace tbui
