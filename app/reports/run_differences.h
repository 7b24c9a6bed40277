#pragma once
// What differs between two runs' configurations, in words, for the warning `compare` prints
// before a ratio (a ratio across different workloads, threads or token counts compares the
// settings, not the implementations). Kept minimal until the shared pairing rule lands.
#include <string>
#include <vector>

#include "db/run_record.h"

namespace bench {

// One line per difference, e.g. "workload differs: tg (baseline) vs pp (current)"; empty when
// the runs were configured alike.
std::vector<std::string> configuration_differences(const tbdb::RunRecord& baseline, const tbdb::RunRecord& current);

}  // namespace bench
