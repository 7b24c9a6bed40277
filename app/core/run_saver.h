#pragma once
// Writing what a run measured must never lose it. When the store refuses the final write (locked
// past its busy timeout, disk full, a table missing) the write is retried within a bound; when
// it still fails, the runs are written beside the store as a ternbench JSON file that
// `ternbench import` reads, and the StoreError thrown names that file.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "db/run_record.h"
#include "db/run_store.h"

namespace bench {

struct SaveRetry {
    int attempts = 3;                                   // writes tried in all
    std::chrono::milliseconds pause{1000};              // between attempts
};

// Calls `write` (which stores `runs`) until it succeeds or the attempts run out; then spills
// `runs` to a file and throws tbdb::StoreError naming the file and how to import it.
void save_or_spill(tbdb::RunStore& store, const std::vector<tbdb::RunRecord>& runs,
                   const std::function<void()>& write, const SaveRetry& retry = {});

// Where a spilled run goes: "<store>.unsaved-<uuid>.json" beside the store.
std::string spill_path(const std::string& store_path, const std::string& uuid);

}  // namespace bench
