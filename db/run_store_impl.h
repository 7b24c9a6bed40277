#pragma once
// Private state of RunStore shared by its source files (open, write, read). Not installed.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "db/run_store.h"
#include "db/store_errors.h"

namespace tbdb {

struct RunStore::Impl {
    std::string path;
    StoreOptions options;
    bool read_only = false;              // requested, or the file/folder is not writable
    std::unique_ptr<SQLite::Database> db;
    // Write statements prepared once and reused (bulk imports insert thousands of rows).
    // Declared after db so they are finalized before the connection closes.
    std::unordered_map<const char*, std::unique_ptr<SQLite::Statement>> cache;
    mutable std::recursive_mutex mutex;
    // Ids of the host/model/implementation last written, reused by bulk inserts. Valid only
    // inside one write transaction (a rollback may undo them): cleared when one begins.
    struct IdMemo {
        std::optional<std::pair<HostInfo, int64_t>> host;
        std::optional<std::pair<ModelRecord, int64_t>> model;
        std::optional<std::pair<std::string, int64_t>> implementation;
    } memo;  // one RunStore may be shared between threads

    // Runs f under the lock; SQLite failures become StoreErrors naming the database.
    template <typename F>
    auto guarded(const std::string& action, F&& f) const {
        std::lock_guard lock(mutex);
        try {
            return f();
        } catch (const SQLite::Exception& e) {
            throw map_sqlite_error(path, action, options.busy_timeout_ms, e);
        } catch (const StoreError&) {
            throw;
        } catch (const std::exception& e) {   // e.g. a damaged BLOB found while reading
            throw StoreError("database " + path + ": could not " + action + ": " + e.what());
        }
    }

    void require_writable(const std::string& action) const;
    // Start of a write operation: checks writability and forgets ids of earlier transactions.
    void begin_write(const std::string& action);
    // A cached statement, reset with bindings cleared, ready to bind and run.
    SQLite::Statement& statement(const char* sql);

    // Opening (run_store_open.cpp).
    void open();
    void mark_interrupted_runs();

    // Writing (run_store_write.cpp). All run inside a caller's transaction.
    // The id of the row `find_sql` selects, inserted with `add_sql` when there is none; `bind`
    // puts the same values into either statement (placeholders in the same order).
    template <typename Bind>
    int64_t find_or_insert(const char* find_sql, const char* add_sql, Bind bind);
    int64_t insert_run_row(RunRecord& run);
    void update_run_row(const RunRecord& run);
    void write_run_contents(int64_t run_id, const RunRecord& run);
    void delete_run_contents(int64_t run_id);
    std::optional<int64_t> host_id(const HostInfo& host);
    std::optional<int64_t> model_id(const ModelRecord& model);
    std::optional<int64_t> implementation_id(const std::string& name);

    // Reading (run_store_read.cpp).
    std::optional<RunRecord> load_run_by_id(int64_t id) const;   // in a read transaction
    std::vector<RunSummary> list_runs(const RunFilter& f) const;
};

// A random (version 4) UUID.
std::string new_uuid();

}  // namespace tbdb
