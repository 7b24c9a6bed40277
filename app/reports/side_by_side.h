#pragma once
// Every implementation found, side by side: for each pp/tg experiment of a report (model, test,
// threads, settings; run_config.h), the newest completed run of each implementation setup
// (ours, llama.cpp, bitnet.cpp, ik_llama.cpp, "ik_llama.cpp -rtr 1" ...) in one row, so a reader
// sees all programs measured on the same experiment at once, not only the pinned baseline.
#include <string>
#include <vector>

#include "db/run_record.h"

namespace bench {

// The Markdown section ("## Implementations side by side"), or empty when no current run is a
// pp/tg run. current: the report's runs (they choose the rows); others: further runs that may
// fill cells of those rows (the baselines).
std::string markdown_side_by_side(const std::vector<const tbdb::RunRecord*>& current,
                                  const std::vector<const tbdb::RunRecord*>& others);

}  // namespace bench
