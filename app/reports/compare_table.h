#pragma once
// What the Compare page shows, as plain data: every metric of two or more runs side by side,
// and for every run after the first (the reference) the ratio to the reference with its
// confidence interval and significance as computed by compare_runs (app/stats), and whether
// each run is the reference's configuration (pairing.h). The Compare page shows it; no Qt here.
#include <optional>
#include <string>
#include <vector>

#include "db/run_record.h"

namespace bench {

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
    // One per run after the reference: empty when it is the reference's configuration, else
    // "#5 is not the reference's configuration: tg128 vs tg32" (pairing.h).
    std::vector<std::string> configuration_warnings;
    // "#5: Busy machine: ..." for every run measured while others used the CPU (busy_machine.h).
    std::vector<std::string> busy_warnings;
};

CompareTable build_compare_table(const std::vector<tbdb::RunRecord>& runs);
// "#12 tg128 ternbench/avx2 abc, 2 threads (failed)": run_label() with the status when not completed.
std::string compare_run_label(const tbdb::RunRecord& run);

// Per-request end-to-end latencies (ms), measured ones only.
std::vector<double> request_latencies(const tbdb::RunRecord& run);

}  // namespace bench
