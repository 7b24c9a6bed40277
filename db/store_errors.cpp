#include "db/store_errors.h"

#include <sqlite3.h>

namespace tbdb {

StoreError locked_error(const std::string& path, int busy_timeout_ms, const std::string& detail) {
    return StoreError("database " + path + " is locked by another process (waited " +
                      std::to_string(busy_timeout_ms) +
                      " ms); close the other ternbench or wait for its run to finish, then retry"
                      " (sqlite: " + detail + ")");
}

StoreError corrupt_error(const std::string& path, const std::string& detail) {
    return StoreError(path + " is not a ternbench database or is corrupt (" + detail +
                      "); nothing was written to it");
}

StoreError read_only_error(const std::string& path, const std::string& detail) {
    return StoreError("cannot write to database " + path +
                      ": it is read-only (the file or its folder is not writable, or it was "
                      "opened read-only); reading still works (" + detail + ")");
}

StoreError map_sqlite_error(const std::string& path, const std::string& action,
                            int busy_timeout_ms, const SQLite::Exception& e) {
    const std::string detail = e.what();
    switch (e.getErrorCode()) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return locked_error(path, busy_timeout_ms, detail);
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        return corrupt_error(path, "sqlite: " + detail);
    case SQLITE_READONLY:
    case SQLITE_PERM:
        return read_only_error(path, "sqlite: " + detail);
    case SQLITE_CANTOPEN:
        return StoreError("cannot open database " + path +
                          " (missing, or its folder is not writable) while trying to " + action +
                          " (sqlite: " + detail + ")");
    case SQLITE_FULL:
        return StoreError("disk full while trying to " + action + " in database " + path +
                          "; nothing of this operation was kept (sqlite: " + detail + ")");
    case SQLITE_CONSTRAINT:
        return StoreError("database " + path + " refused to " + action +
                          ": it would break a rule of the schema (sqlite: " + detail + ")");
    default:
        return StoreError("database " + path + ": could not " + action + " (sqlite: " + detail +
                          ")");
    }
}

}  // namespace tbdb
