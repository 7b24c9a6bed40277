#pragma once
// Soundness checks of a store, each on a connection of its own (so they also work while the
// RunStore of a run is busy): the schema against what the migrations make, the quick page check
// a run makes before it writes (a damaged page must not be written over), and ending a run as
// cancelled from outside the thread measuring it.
#include <cstdint>
#include <string>
#include <vector>

#include "db/run_store.h"

namespace tbdb {

// Tables, columns and indexes the migrations make but the file lacks ("table metrics is
// missing"): empty when complete. Throws StoreError when the file cannot be read.
std::vector<std::string> schema_problems(const std::string& path);

// Before a run starts: throws StoreError when a quick page check finds damage or the schema is
// incomplete (a write could otherwise land on a damaged page, or fail at the end).
void require_sound_for_write(const RunStore& store);

// Ends run `id` if it is still `running` as `cancelled` with `error` (the process measuring it
// is about to exit without finishing it). False when it was not running.
bool mark_run_cancelled(const std::string& path, int64_t id, const std::string& error, int busy_timeout_ms);

}  // namespace tbdb
