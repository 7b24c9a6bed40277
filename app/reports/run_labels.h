#pragma once
// Short human labels for runs, shared by reports, the CLI and the window.
#include <string>

#include "db/run_record.h"

namespace bench {

// "pp512", "tg128", "pp512+tg128", "pp512 @ d1024" for llama-bench style runs (from the run's
// config_json n_prompt / n_gen / n_depth); the workload name otherwise.
std::string workload_label(const tbdb::RunRecord& run);
// "llama.cpp 3f545becc", "ternbench/avx2 abc123": implementation and version; " over HTTP" when
// the run measured a server from a client (its latencies include the HTTP path).
std::string implementation_label(const tbdb::RunRecord& run);
// Whether the run drove a server over HTTP (config_json "http".over_http).
bool run_over_http(const tbdb::RunRecord& run);
// "#12 pp512 llama.cpp 3f545becc, 2 threads".
std::string run_label(const tbdb::RunRecord& run);
// Human unit of a metric's unit for tables ("tok/s", "ms"); empty units stay empty.
std::string quantity_label(const std::string& name, const std::string& unit);

}  // namespace bench
