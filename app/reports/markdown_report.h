#pragma once
// Markdown reports. Deterministic for fixed runs: no current date or time inside (golden tests).
#include <string>
#include <vector>

#include "db/run_record.h"

namespace bench {

struct ReportInput {
    std::string title = "ternbench report";
    std::vector<tbdb::RunRecord> runs;        // the current runs
    std::vector<tbdb::RunRecord> baselines;   // a pinned run, or the runs of a pinned implementation
    std::string baseline_label;               // e.g. "run #3" or "implementation llama.cpp"
    std::vector<std::string> chart_paths;     // chart PNGs to link, as given (relative to the report)
};

// Runs against a baseline: executive summary (ratios against the baseline; only significant
// differences called faster/slower, with their 95% CI and p), one table per workload
// (statistic | baseline | current | ratio | significance; both sides the same, named statistic),
// the environment, the method (the formulas of docs/ARCHITECTURE.md section 4 and the repetitions
// behind each run), every run's configuration key, the program and build of each external run,
// and the chart links. A run is paired only with a completed baseline of the same configuration
// (pairing.h; else "no baseline of the same configuration" naming the nearest candidate and what
// differs); a failed or unfinished run is listed with its status and error, never compared.
std::string markdown_comparison_report(const ReportInput& input);

// One run (the headless default run prints this): its facts and every figure with its unit;
// a missing figure shows as "—" with its note.
std::string markdown_run_report(const tbdb::RunRecord& run);

// Escapes a table cell (| and line breaks).
std::string markdown_cell(const std::string& text);

// One table row "| a | b |\n" of already escaped cells.
std::string markdown_row(const std::vector<std::string>& cells);

}  // namespace bench
