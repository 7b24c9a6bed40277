#pragma once
// CSV exports, both directions.
//
// Tidy long form (one row per run and metric), columns:
//   run_id, uuid, workload, implementation, kernel, model, threads, metric, value, unit, n,
//   note, status, impl_version, model_sha256, started_at
// value is empty for a missing figure (note says why). A run without any metric still gets
// one row with an empty metric so it survives a round trip.
//
// Raw samples file, columns: run_id, uuid, kind, series, request, index, value, unit
//   kind "sample":     series = sample series name, index = position, value
//   kind "request":    request = position in the run, series = field (index, repetition,
//                      prompt_tokens, output_tokens, submit_ms, ttft_ms, e2e_ms, stop_reason)
//   kind "token_time": request = position, index = token, value = ms since submit
//   kind "resource":   index = sample position, series = field (t_ms, rss_anon_mb, ...)
// Text cells are neutralized against formula injection (see csv.h).
#include <string>
#include <vector>

#include "db/run_record.h"

namespace bench {

std::string export_metrics_csv(const std::vector<tbdb::RunRecord>& runs);
std::string export_samples_csv(const std::vector<tbdb::RunRecord>& runs);
// Where the samples file goes next to a metrics CSV: "out/runs.csv" -> "out/runs.samples.csv".
std::string samples_csv_path_for(const std::string& metrics_csv_path);

// Header tests used by format detection.
bool is_metrics_csv_header(const std::vector<std::string>& header);
bool is_samples_csv_header(const std::vector<std::string>& header);

// Reads our exports back (samples_text may be empty: runs then carry metrics only). Runs are
// matched by uuid. Throws CsvError naming origin and line on malformed content.
std::vector<tbdb::RunRecord> runs_from_csv(const std::string& metrics_text, const std::string& metrics_origin,
                                           const std::string& samples_text = {},
                                           const std::string& samples_origin = {});

}  // namespace bench
