#pragma once
// Parses llama-bench results (`-o json|jsonl|csv|sql`) into runs, one tbdb::RunRecord per test
// line. Both field sets are understood: upstream llama.cpp's (backends, n_depth, ...) and the
// older one of bitnet.cpp's fork (cuda, kompute, ...). The Markdown output is not importable: it
// holds only rounded means.
//
// One line becomes:
//   workload       "pp" (n_gen == 0), "tg" (n_prompt == 0), "pg" (both > 0: llama-bench's
//                  "pp512+tg128" combined test); label via workload_label() ("pp512 @ d1024" with depth)
//   implementation options.implementation when given, else detected per line (see
//                  implementation_detect.h; a line matching no known implementation adds a
//                  warning naming the fields it lacked); kernel empty (external program)
//   impl_version   build_commit; threads n_threads; started_at = finished_at = test_time
//   model          path model_filename, size_bytes model_size, n_params model_n_params,
//                  arch / ternary_type from model_type ("bitnet ?B TQ2_0 - ..." -> bitnet, TQ2_0)
//   host           cpu_model = cpu_info (the rest is not in the file, left empty)
//   config_json    every parameter field (not the results), plus "test" (the label),
//                  "implementation_detected_by" and "extra_args" (flags passed through)
//   metrics        tok_s = avg_ts, tok_s_stddev = stddev_ts, test_ms = avg_ns / 1e6,
//                  test_ms_stddev = stddev_ns / 1e6, and from samples_ts: tok_s_median, _min,
//                  _max, _ci95_low, _ci95_high (missing with a note when the file has no samples)
//   samples        "tok_s" = samples_ts (tok/s), "ns" = samples_ns (ns), every value
// Nothing is invented: a field the file lacks stays missing. The uuid is name-based (SHA-1) on
// the line's content, so importing the same file twice gives the same uuids.
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "db/run_record.h"

namespace bench {

struct LlamaBenchError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

enum class LlamaBenchFormat { Json, Jsonl, Csv, Sql };

struct LlamaBenchOptions {
    std::string implementation;   // override ("llama.cpp", "bitnet.cpp", ...); empty: detect
    std::string source;           // RunRecord::source, e.g. "import:results.json"
    std::string version_text;     // the program's `--version` output, when known (detection)
    std::vector<std::string> extra_args;   // flags passed through to the program (config "extra_args")
};

struct LlamaBenchResult {
    std::vector<tbdb::RunRecord> runs;
    std::vector<std::string> warnings;
};

// origin names the input in errors ("results.csv", "llama-bench output"): errors read
// "<origin>:<line>: ..." or "<origin>: test 2: field \"avg_ts\" ...". Throws LlamaBenchError.
LlamaBenchResult parse_llama_bench(const std::string& text, LlamaBenchFormat format, const std::string& origin,
                                   const LlamaBenchOptions& options = {});

// The implementation a test line comes from (detect_implementation over its fields):
// "llama.cpp", "bitnet.cpp", "ik_llama.cpp" or an unknown fork's derived name. reason
// (optional) receives why.
std::string detect_llama_bench_implementation(const nlohmann::json& fields, std::string* reason = nullptr);

// The field set of one test line (values as in JSON, or strings from CSV/SQL) to a run.
tbdb::RunRecord llama_bench_fields_to_run(const nlohmann::json& fields, const std::string& where,
                                          const LlamaBenchOptions& options,
                                          std::vector<std::string>* warnings = nullptr);

// Line (1-based) of a byte offset in text, for error messages.
int line_of_offset(const std::string& text, size_t offset);

}  // namespace bench
