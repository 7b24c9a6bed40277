#pragma once
// JSON in two shapes.
//
// 1. The stable machine-readable shape of `ternbench run|show --json` (issue 5; scripts rely on
//    it, so only ever ADD keys):
//    {"runs": [{"id", "uuid", "workload", "implementation", "kernel", "status", "threads",
//               "model": {"path", "sha256"},
//               "metrics": {"NAME": {"value": X|null, "unit", "n"[, "note"]}}[, "error"]}]}
//    "note" appears only when the metric has one, "error" only for a run that has one.
//
// 2. The full export (`ternbench export --format json`): {"schema_version": 1,
//    "generator": "ternbench", "runs": [...]} with every field of tbdb::RunRecord: times,
//    impl_version, config (the BenchmarkSpec object; "config_json" text when not valid JSON),
//    host, full model, error, source, metrics (an object keyed by name, in the run's order,
//    with value/unit/n/note), samples [{name, unit, values}], requests [{index, repetition,
//    prompt_tokens, output_tokens, submit_ms, ttft_ms, e2e_ms, token_times_ms, stop_reason}],
//    resources [{t_ms, rss_anon_mb, rss_file_mb, vm_hwm_mb, cpu_user_s, cpu_sys_s, threads}].
//    Numbers are written in their shortest exact form, so importing it back loses nothing.
//    Missing values are null. No timestamps of the export itself (reproducible files).
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "db/run_record.h"

namespace bench {

constexpr int kExportSchemaVersion = 1;

// Shape 1 for one run (one element of "runs").
nlohmann::json run_object_json(const tbdb::RunRecord& run);
// Shape 1, {"runs": [...]}.
nlohmann::json run_to_json(const std::vector<tbdb::RunRecord>& runs);
nlohmann::json run_to_json(const tbdb::RunRecord& run);

// Shape 2.
nlohmann::ordered_json run_full_json(const tbdb::RunRecord& run);
std::string export_json(const std::vector<tbdb::RunRecord>& runs, int indent = 2);

struct JsonImportError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// Reads back shape 2 (and shape 1, which carries fewer fields). Throws JsonImportError naming
// origin, run index and field on malformed content or a newer schema_version.
std::vector<tbdb::RunRecord> runs_from_export_json(const nlohmann::ordered_json& doc, const std::string& origin);
// True when doc looks like one of our two shapes ({"runs": [...]}).
bool is_ternbench_json(const nlohmann::ordered_json& doc);

}  // namespace bench
