#pragma once
// Which runs are "the baseline" of a report or a comparison, decided once for `ternbench export`,
// the window's export and the Compare page: an explicit run, an implementation (all its
// runs), or, when none is named, the store's newest pin. Which of those runs each current run is
// compared with is pairing.h's rule (same configuration only).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/run_record.h"
#include "db/run_store.h"

namespace bench {

struct ResolvedBaseline {
    std::vector<tbdb::RunRecord> runs;   // the candidates, full (raw samples included)
    std::string label;                   // "run #3", "implementation llama.cpp (pinned)"
    std::string error;                   // a named run that does not exist ("no baseline run 12")
    bool pinned = false;                 // came from the store's pin
    bool ok() const { return error.empty(); }
};

// ref: empty = the newest pin (no pin: no runs, no error); all digits = that run; anything
// else = every run of that implementation. Throws only tbdb::StoreError.
ResolvedBaseline resolve_baseline(const tbdb::RunStore& store, const std::string& ref);
// The same with a run id (the window passes ids), nullopt = the pin.
ResolvedBaseline resolve_baseline(const tbdb::RunStore& store, std::optional<int64_t> run_id);

// What a comparison of chosen runs shows (the Compare page): two or more runs as given, the
// first the reference; one run alone with the pinned baseline's run of the same configuration
// before it (pairing.h), or alone with a note saying why there is none. Missing ids are named in
// the note.
struct CompareSelection {
    std::vector<tbdb::RunRecord> runs;
    std::string note;
};
CompareSelection select_compare_runs(const tbdb::RunStore& store, const std::vector<int64_t>& ids);

}  // namespace bench
