#pragma once
// Turns SQLite failures into StoreErrors a user can act on: which database, what happened
// (locked by another process, corrupt / not ours, read-only, disk full) and SQLite's own words.
#include <SQLiteCpp/Exception.h>

#include <string>

#include "db/run_store.h"

namespace tbdb {

StoreError locked_error(const std::string& path, int busy_timeout_ms, const std::string& detail);
// detail: "sqlite: <its message>" or what the header check found.
StoreError corrupt_error(const std::string& path, const std::string& detail);
StoreError read_only_error(const std::string& path, const std::string& detail);

// `action` says what was being done, e.g. "finish run 12".
StoreError map_sqlite_error(const std::string& path, const std::string& action,
                            int busy_timeout_ms, const SQLite::Exception& e);

}  // namespace tbdb
