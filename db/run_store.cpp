// RunStore: the public API over Impl (open in run_store_open.cpp, writes in
// run_store_write.cpp, reads in run_store_read.cpp).
#include "db/run_store.h"

#include <SQLiteCpp/Transaction.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>

#include <pwd.h>
#include <unistd.h>

#include "db/run_store_impl.h"
#include "db/timestamps.h"
#include "db/schema.h"

namespace tbdb {

std::string new_uuid() {
    thread_local std::mt19937_64 rng{[] {
        std::random_device rd;
        return (uint64_t{rd()} << 32) ^ rd() ^
               static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    }()};
    uint64_t hi = rng(), lo = rng();
    hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;   // version 4
    lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;   // RFC 4122 variant
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx",
                  static_cast<unsigned>(hi >> 32), static_cast<unsigned>((hi >> 16) & 0xFFFF),
                  static_cast<unsigned>(hi & 0xFFFF), static_cast<unsigned>(lo >> 48),
                  static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
    return buf;
}

void RunStore::Impl::require_writable(const std::string& action) const {
    if (read_only) throw read_only_error(path, "cannot " + action);
}

void RunStore::Impl::begin_write(const std::string& action) {
    require_writable(action);
    memo = {};
}

SQLite::Statement& RunStore::Impl::statement(const char* sql) {
    auto& slot = cache[sql];
    if (!slot) {
        slot = std::make_unique<SQLite::Statement>(*db, sql);
    } else {
        // tryReset: after a failed step reset() would re-throw that old error.
        slot->tryReset();
        slot->clearBindings();
    }
    return *slot;
}

RunStore::RunStore(const std::string& path, bool read_only)
    : RunStore(path, StoreOptions{read_only, StoreOptions{}.busy_timeout_ms}) {}

RunStore::RunStore(const std::string& path, const StoreOptions& options)
    : impl_(std::make_unique<Impl>()) {
    impl_->path = path;
    impl_->options = options;
    impl_->open();
}

RunStore::~RunStore() = default;

std::string RunStore::default_path() {
    // XDG base directory spec: a relative XDG_DATA_HOME is invalid and must be ignored.
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && xdg[0] == '/')
        return std::string(xdg) + "/ternbench/ternbench.sqlite";
    std::string home;
    if (const char* h = std::getenv("HOME"); h && h[0]) {
        home = h;
    } else if (const passwd* pw = ::getpwuid(::getuid()); pw && pw->pw_dir) {
        home = pw->pw_dir;
    }
    if (home.empty()) return "ternbench.sqlite";   // no home at all: the working folder
    return home + "/.local/share/ternbench/ternbench.sqlite";
}

int RunStore::schema_version() { return schema::latest_version(); }

const std::string& RunStore::path() const { return impl_->path; }

bool RunStore::read_only() const { return impl_->read_only; }

int64_t RunStore::begin_run(RunRecord& run) {
    return impl_->guarded("start a run", [&] {
        impl_->begin_write("start a run");
        run.status = RunStatus::Running;
        SQLite::Transaction tx(*impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
        const int64_t id = impl_->insert_run_row(run);
        tx.commit();
        return id;
    });
}

void RunStore::finish_run(const RunRecord& run) {
    const std::string action = "finish run " + std::to_string(run.id);
    impl_->guarded(action, [&] {
        impl_->begin_write(action);
        if (run.id <= 0) throw StoreError("cannot finish a run that was never begun (no id)");
        if (run.status == RunStatus::Running)
            throw StoreError("cannot finish run " + std::to_string(run.id) +
                             " with status 'running': give it its final status");
        // Everything or nothing: on any failure the row stays `running` with its writer, so
        // it becomes `interrupted` once this process ends, never half-written.
        SQLite::Transaction tx(*impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
        impl_->update_run_row(run);
        impl_->delete_run_contents(run.id);
        impl_->write_run_contents(run.id, run);
        tx.commit();
    });
}

int64_t RunStore::insert_run(RunRecord& run) {
    return impl_->guarded("insert a run", [&] {
        impl_->begin_write("insert a run");
        SQLite::Transaction tx(*impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
        RunRecord copy = run;   // ids and defaults reach the caller only once committed
        const int64_t id = impl_->insert_run_row(copy);
        impl_->write_run_contents(id, copy);
        tx.commit();
        run.id = copy.id;
        run.uuid = copy.uuid;
        run.started_at = copy.started_at;
        return id;
    });
}

std::vector<int64_t> RunStore::insert_runs(std::vector<RunRecord>& runs) {
    return impl_->guarded("insert runs", [&] {
        impl_->begin_write("insert runs");
        SQLite::Transaction tx(*impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
        std::vector<RunRecord> copies = runs;
        std::vector<int64_t> ids;
        ids.reserve(runs.size());
        for (RunRecord& run : copies) {
            ids.push_back(impl_->insert_run_row(run));
            impl_->write_run_contents(run.id, run);
        }
        tx.commit();
        for (size_t i = 0; i < runs.size(); ++i) {
            runs[i].id = copies[i].id;
            runs[i].uuid = copies[i].uuid;
            runs[i].started_at = copies[i].started_at;
        }
        return ids;
    });
}

std::optional<RunRecord> RunStore::load_run(int64_t id) const {
    return impl_->guarded("load run " + std::to_string(id),
                          [&] { return impl_->load_run_by_id(id); });
}

std::optional<RunRecord> RunStore::load_run(const std::string& uuid) const {
    return impl_->guarded("load run " + uuid, [&]() -> std::optional<RunRecord> {
        SQLite::Statement q(*impl_->db, "SELECT id FROM runs WHERE uuid = ?");
        q.bind(1, uuid);
        if (!q.executeStep()) return std::nullopt;
        const int64_t id = q.getColumn(0).getInt64();
        q.reset();
        return impl_->load_run_by_id(id);
    });
}

std::vector<RunSummary> RunStore::list_runs(const RunFilter& f) const {
    return impl_->guarded("list runs", [&] { return impl_->list_runs(f); });
}

int64_t RunStore::count_runs() const {
    return impl_->guarded("count runs", [&] {
        SQLite::Statement q(*impl_->db, "SELECT count(*) FROM runs");
        q.executeStep();
        return q.getColumn(0).getInt64();
    });
}

bool RunStore::delete_run(int64_t id) {
    const std::string action = "delete run " + std::to_string(id);
    return impl_->guarded(action, [&] {
        impl_->require_writable(action);
        SQLite::Statement del(*impl_->db, "DELETE FROM runs WHERE id = ?");   // children cascade
        del.bind(1, static_cast<int64_t>(id));
        return del.exec() > 0;
    });
}

void RunStore::pin_run(int64_t run_id) {
    const std::string action = "pin run " + std::to_string(run_id);
    impl_->guarded(action, [&] {
        impl_->require_writable(action);
        SQLite::Transaction tx(*impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement exists(*impl_->db, "SELECT 1 FROM runs WHERE id = ?");
        exists.bind(1, static_cast<int64_t>(run_id));
        if (!exists.executeStep())
            throw StoreError("cannot pin run " + std::to_string(run_id) + ": no such run");
        exists.reset();
        // Re-pinning moves the pin to the front instead of listing it twice.
        SQLite::Statement old(*impl_->db, "DELETE FROM baselines WHERE run_id = ?");
        old.bind(1, static_cast<int64_t>(run_id));
        old.exec();
        SQLite::Statement add(*impl_->db,
                              "INSERT INTO baselines (run_id, created_at) VALUES (?, ?)");
        add.bind(1, static_cast<int64_t>(run_id));
        add.bind(2, utc_timestamp_now());
        add.exec();
        tx.commit();
    });
}

void RunStore::pin_implementation(const std::string& implementation) {
    const std::string action = "pin implementation " + implementation;
    impl_->guarded(action, [&] {
        impl_->require_writable(action);
        SQLite::Transaction tx(*impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement known(*impl_->db,
                                "SELECT 1 FROM runs r JOIN implementations i "
                                "ON i.id = r.implementation_id WHERE i.name = ? LIMIT 1");
        known.bind(1, implementation);
        if (!known.executeStep())
            throw StoreError("cannot pin implementation '" + implementation +
                             "': no stored run uses it");
        known.reset();
        SQLite::Statement old(*impl_->db, "DELETE FROM baselines WHERE implementation = ?");
        old.bind(1, implementation);
        old.exec();
        SQLite::Statement add(*impl_->db,
                              "INSERT INTO baselines (implementation, created_at) VALUES (?, ?)");
        add.bind(1, implementation);
        add.bind(2, utc_timestamp_now());
        add.exec();
        tx.commit();
    });
}

void RunStore::unpin(int64_t baseline_id) {
    const std::string action = "unpin baseline " + std::to_string(baseline_id);
    impl_->guarded(action, [&] {
        impl_->require_writable(action);
        SQLite::Statement del(*impl_->db, "DELETE FROM baselines WHERE id = ?");
        del.bind(1, static_cast<int64_t>(baseline_id));
        if (del.exec() == 0)
            throw StoreError("cannot unpin baseline " + std::to_string(baseline_id) +
                             ": no such pin");
    });
}

namespace {
Baseline read_baseline(SQLite::Statement& q) {
    Baseline b;
    b.id = q.getColumn(0).getInt64();
    if (!q.getColumn(1).isNull()) b.run_id = q.getColumn(1).getInt64();
    if (!q.getColumn(2).isNull()) b.implementation = q.getColumn(2).getString();
    b.created_at = q.getColumn(3).getString();
    return b;
}
}  // namespace

std::vector<Baseline> RunStore::baselines() const {
    return impl_->guarded("list baselines", [&] {
        SQLite::Statement q(*impl_->db,
                            "SELECT id, run_id, implementation, created_at FROM baselines "
                            "ORDER BY id");
        std::vector<Baseline> out;
        while (q.executeStep()) out.push_back(read_baseline(q));
        return out;
    });
}

std::optional<Baseline> RunStore::current_baseline() const {
    return impl_->guarded("read the baseline", [&]() -> std::optional<Baseline> {
        SQLite::Statement q(*impl_->db,
                            "SELECT id, run_id, implementation, created_at FROM baselines "
                            "ORDER BY id DESC LIMIT 1");
        if (!q.executeStep()) return std::nullopt;
        return read_baseline(q);
    });
}

std::vector<std::string> RunStore::integrity_check() const {
    return impl_->guarded("check integrity", [&] {
        std::vector<std::string> problems;
        {
            SQLite::Statement q(*impl_->db, "PRAGMA integrity_check");
            while (q.executeStep()) {
                const std::string line = q.getColumn(0).getString();
                if (line != "ok") problems.push_back(line);
            }
        }
        SQLite::Statement fk(*impl_->db, "PRAGMA foreign_key_check");
        while (fk.executeStep())
            problems.push_back("row " + std::to_string(fk.getColumn(1).getInt64()) +
                               " of table " + fk.getColumn(0).getString() +
                               " refers to a missing row of " + fk.getColumn(2).getString());
        return problems;
    });
}

int RunStore::user_version() const {
    return impl_->guarded("read the schema version", [&] {
        SQLite::Statement q(*impl_->db, "PRAGMA user_version");
        q.executeStep();
        return q.getColumn(0).getInt();
    });
}

}  // namespace tbdb
