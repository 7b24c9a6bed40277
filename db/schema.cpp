#include "db/schema.h"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <array>
#include <stdexcept>
#include <string>

namespace tbdb::schema {

namespace {

// v1: the core tables of docs/ARCHITECTURE.md section 6.
constexpr const char* kV1 = R"SQL(
CREATE TABLE hosts (
    id INTEGER PRIMARY KEY,
    hostname TEXT NOT NULL,
    cpu_model TEXT NOT NULL,
    os TEXT NOT NULL,
    kernel TEXT NOT NULL,
    physical_cores INTEGER NOT NULL,
    logical_cores INTEGER NOT NULL,
    cpu_flags TEXT NOT NULL,
    mem_total_gb REAL NOT NULL
);
CREATE TABLE models (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    arch TEXT NOT NULL,
    ternary_type TEXT NOT NULL,
    n_params INTEGER NOT NULL
);
CREATE TABLE implementations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN
        ('running', 'completed', 'failed', 'cancelled', 'interrupted')),
    workload TEXT NOT NULL,
    implementation_id INTEGER REFERENCES implementations(id),
    kernel TEXT NOT NULL DEFAULT '',
    impl_version TEXT NOT NULL DEFAULT '',
    threads INTEGER NOT NULL DEFAULT 0,
    config_json TEXT NOT NULL DEFAULT '',
    host_id INTEGER REFERENCES hosts(id),
    model_id INTEGER REFERENCES models(id),
    error TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT ''
);
CREATE TABLE requests (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    repetition INTEGER NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    submit_ms REAL NOT NULL,
    ttft_ms REAL,
    e2e_ms REAL,
    token_times BLOB,           -- float32 little-endian ms per output token
    stop_reason TEXT NOT NULL DEFAULT ''
);
CREATE TABLE resource_samples (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    t_ms REAL NOT NULL,
    rss_anon_mb REAL NOT NULL,
    rss_file_mb REAL NOT NULL,
    vm_hwm_mb REAL NOT NULL,
    cpu_user_s REAL NOT NULL,
    cpu_sys_s REAL NOT NULL,
    threads INTEGER NOT NULL
);
CREATE TABLE metrics (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    value REAL,                 -- NULL = could not be measured
    unit TEXT NOT NULL DEFAULT '',
    n INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT ''
);
)SQL";

// v2: raw sample series and baseline pins.
constexpr const char* kV2 = R"SQL(
CREATE TABLE sample_series (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    unit TEXT NOT NULL DEFAULT '',
    n INTEGER NOT NULL,
    sample_values BLOB          -- float64 little-endian, n of them
);
CREATE TABLE baselines (
    id INTEGER PRIMARY KEY,
    run_id INTEGER REFERENCES runs(id) ON DELETE CASCADE,
    implementation TEXT,
    created_at TEXT NOT NULL,
    CHECK ((run_id IS NULL) <> (implementation IS NULL))
);
)SQL";

// v3: who writes a running run (so another process's live run is not marked interrupted),
// and the indexes that keep listing 10,000 runs with their metrics fast.
constexpr const char* kV3 = R"SQL(
ALTER TABLE runs ADD COLUMN writer_pid INTEGER;
ALTER TABLE runs ADD COLUMN writer_start INTEGER;
ALTER TABLE runs ADD COLUMN writer_boot TEXT;
ALTER TABLE runs ADD COLUMN writer_host TEXT;
CREATE INDEX runs_status ON runs(status);
CREATE INDEX runs_workload ON runs(workload);
CREATE INDEX runs_implementation ON runs(implementation_id);
CREATE INDEX metrics_run ON metrics(run_id);
CREATE INDEX requests_run ON requests(run_id);
CREATE INDEX resource_samples_run ON resource_samples(run_id);
CREATE INDEX sample_series_run ON sample_series(run_id);
CREATE INDEX baselines_run ON baselines(run_id);
CREATE UNIQUE INDEX hosts_identity ON hosts(hostname, cpu_model, os, kernel, physical_cores,
    logical_cores, cpu_flags, mem_total_gb);
CREATE UNIQUE INDEX models_identity ON models(path, sha256, size_bytes, arch, ternary_type,
    n_params);
)SQL";

constexpr std::array<const char*, 3> kSteps{kV1, kV2, kV3};

int current_version(SQLite::Database& db) {
    SQLite::Statement q(db, "PRAGMA user_version");
    q.executeStep();
    return q.getColumn(0).getInt();
}

}  // namespace

int latest_version() { return static_cast<int>(kSteps.size()); }

void apply_steps(SQLite::Database& db, int from, int target) {
    if (target > latest_version()) throw std::logic_error("schema target beyond latest");
    if (from >= target) return;
    for (int v = from + 1; v <= target; ++v) db.exec(kSteps[static_cast<size_t>(v - 1)]);
    // PRAGMA takes no bound parameters; the value is an int of our own, not user data.
    db.exec("PRAGMA user_version = " + std::to_string(target));
}

void migrate(SQLite::Database& db, int target) {
    if (target > latest_version()) throw std::logic_error("schema target beyond latest");
    // IMMEDIATE: take the write lock first so two processes never migrate at once.
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    const int from = current_version(db);  // re-read under the lock
    if (from >= target) return;              // someone else did it (tx rolls back: no-op)
    apply_steps(db, from, target);
    tx.commit();
}

}  // namespace tbdb::schema
