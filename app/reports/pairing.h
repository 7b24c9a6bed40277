#pragma once
// The one pairing rule (reports, `compare`, the Compare page, History): a run is compared only
// with a run of the same experiment (run_config.h): same model (sha256 when both have one, else
// file name and parameter count: "matched by name"), same test and sizes, same thread count,
// same speed settings. Anything else is "no baseline of the same configuration", naming the
// nearest candidate and what differs.
#include <string>
#include <vector>

#include "app/reports/run_config.h"
#include "db/run_record.h"

namespace bench {

struct ConfigMatch {
    bool same = false;            // the same experiment: a ratio means something
    bool matched_by_name = false; // the model matched by file name and parameter count only
    // What differs, in words: "other model (a.gguf vs b.gguf)", "tg128 vs tg32", "2 vs 1 threads",
    // "kv f16 vs f32". current first, then baseline.
    std::vector<std::string> differences;
    std::string differences_text() const;   // joined with ", "
};

// Whether current and baseline measured the same experiment (implementations may differ).
ConfigMatch match_configs(const RunConfig& current, const RunConfig& baseline);
// The same experiment AND the same implementation with the same switches: repetitions of one
// configuration (History series, regressions).
bool same_configuration(const RunConfig& a, const RunConfig& b);

struct BaselinePairing {
    const tbdb::RunRecord* baseline = nullptr;   // same experiment; nullptr when none
    bool matched_by_name = false;
    const tbdb::RunRecord* nearest = nullptr;    // no baseline: the closest completed candidate
    std::vector<std::string> differences;        // ... and what differs from it
    // "no baseline of the same configuration (nearest: #41 llama.cpp 3f545becc: tg128 vs tg32)";
    // "no completed baseline" when there was no candidate at all. Empty when paired.
    std::string explanation() const;
};

// The baseline for a run among candidates: a completed run (not the run itself) of the same
// experiment; among those the one with the same model hash over one matched by name, then the
// newest. Failed or unfinished candidates never qualify.
BaselinePairing pair_with_baseline(const tbdb::RunRecord& run, const std::vector<tbdb::RunRecord>& candidates);

}  // namespace bench
