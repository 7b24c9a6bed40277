#pragma once
// One Markdown report for several runs of one invocation (the headless default run): a summary
// table of every run with its status and headline figures, then each run's details.
#include <string>
#include <vector>

#include "db/run_record.h"

namespace bench {

// `intro` is a paragraph placed under the title (may be empty). Deterministic for fixed runs.
std::string markdown_summary_report(const std::string& title, const std::string& intro,
                                    const std::vector<tbdb::RunRecord>& runs);

}  // namespace bench
