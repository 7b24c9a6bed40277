#pragma once
// The SQLite store of runs (docs/ARCHITECTURE.md section 6): WAL, foreign keys, prepared statements,
// schema version in PRAGMA user_version with forward-only migrations. One transaction per
// finished run. Every failure is a tbdb::StoreError naming the database and the cause
// (locked, corrupt, read-only, newer schema); nothing already stored is ever lost.
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "db/run_record.h"

namespace tbdb {

struct StoreError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Unset fields do not filter; set ones must all match (exact match unless said otherwise).
struct RunFilter {
    std::optional<std::string> workload, implementation, model_path, host, status;  // host = hostname
    std::vector<int64_t> ids;      // empty = any id
    std::optional<int> last_n;     // newest N
    std::optional<std::string> text;  // substring over workload/model/implementation (ASCII case-insensitive)
};

// Light row for tables and charts (no requests / samples).
struct RunSummary {
    int64_t id = 0;
    std::string uuid, started_at, workload, implementation, kernel, model_path, model_sha256,
        host, status, error, source;
    std::string impl_version, config_json;   // the configuration key is derived from these
    int64_t model_n_params = 0;
    int threads = 0;
    std::vector<Metric> metrics;
    bool pinned = false;
};

struct Baseline {
    int64_t id = 0;
    std::optional<int64_t> run_id;          // a pinned run ...
    std::optional<std::string> implementation;  // ... or a pinned implementation
    std::string created_at;
};

// How a store is opened. busy_timeout_ms is how long a write waits for another process's lock
// before failing with a "locked" StoreError (tests use a short one).
struct StoreOptions {
    bool read_only = false;
    int busy_timeout_ms = 5000;
};

class RunStore {
public:
    // Opens (creating it and its folder when absent) and migrates. Marks runs left `running`
    // by a crash as `interrupted`. Throws StoreError.
    explicit RunStore(const std::string& path, bool read_only = false);
    RunStore(const std::string& path, const StoreOptions& options);
    ~RunStore();

    static std::string default_path();  // $XDG_DATA_HOME/ternbench/ternbench.sqlite
    static int schema_version();        // latest version this build writes
    const std::string& path() const;

    // Opens a run row with status `running` (start of a run); returns its id.
    int64_t begin_run(RunRecord& run);
    // Writes metrics, samples, requests and resources and the final status in one transaction.
    void finish_run(const RunRecord& run);
    // Inserts a complete run (imports, external baselines) in one transaction; returns its id.
    int64_t insert_run(RunRecord& run);
    // Inserts many complete runs in ONE transaction (all or none); sets each id; returns the ids.
    std::vector<int64_t> insert_runs(std::vector<RunRecord>& runs);

    std::optional<RunRecord> load_run(int64_t id) const;   // full, with raw data
    std::optional<RunRecord> load_run(const std::string& uuid) const;
    // Oldest first (by id); last_n keeps the newest N. Metrics of all listed runs in one query.
    std::vector<RunSummary> list_runs(const RunFilter& f = {}) const;
    int64_t count_runs() const;
    bool delete_run(int64_t id);

    // Baselines / pins.
    void pin_run(int64_t run_id);
    void pin_implementation(const std::string& implementation);
    void unpin(int64_t baseline_id);
    std::vector<Baseline> baselines() const;
    std::optional<Baseline> current_baseline() const;   // newest pin

    // `PRAGMA integrity_check`: empty when ok, else the problems reported.
    std::vector<std::string> integrity_check() const;
    int user_version() const;
    bool read_only() const;   // opened read-only, or the file/folder is not writable

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace tbdb
