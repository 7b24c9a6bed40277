#pragma once
// The "Fidelity" section of Markdown reports: one row per completed `perplexity` run (engine
// or legacy) with its PPL, and against its KL base the mean / p99 KLD and the same-top share,
// so output quality stands next to the speed tables.
#include <string>
#include <vector>

#include "db/run_record.h"

namespace bench {

// Empty when no completed perplexity run is among `runs`.
std::string markdown_fidelity_section(const std::vector<const tbdb::RunRecord*>& runs);

// The KL base a perplexity run was compared with (file name), or "" when it had none.
std::string kl_base_label(const tbdb::RunRecord& run);

}  // namespace bench
