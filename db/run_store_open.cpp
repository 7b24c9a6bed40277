// Opening a RunStore: checks that leave a foreign, corrupt or newer file untouched, WAL and
// pragmas, migrations, and marking runs whose writer died as `interrupted`.
#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "db/run_store_impl.h"
#include "db/schema.h"
#include "db/writer_identity.h"

namespace fs = std::filesystem;

namespace tbdb {

namespace {

uint32_t big_endian_u32(const unsigned char* p) {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

uint64_t file_size_or_zero(const fs::path& p) {
    std::error_code ec;
    const auto size = fs::file_size(p, ec);
    return ec ? 0 : size;
}

// Problems visible in the 100-byte SQLite header, found before SQLite touches the file.
// A file cut short is caught here because SQLite would otherwise read the missing pages
// as zeros and fail later, deep inside some query.
std::optional<std::string> header_problem(const fs::path& file) {
    std::error_code ec;
    const auto status = fs::status(file, ec);
    if (!ec && status.type() != fs::file_type::regular)
        return std::string(fs::is_directory(status) ? "it is a folder" : "it is not a regular file (a device, pipe or socket)");
    uint64_t size = file_size_or_zero(file);
    if (size == 0) {
        // An empty file is a new database -- unless it only reads as empty by its size, as the
        // files under /proc and /sys do.
        char probe[16];
        std::ifstream in(file, std::ios::binary);
        if (in.read(probe, sizeof probe).gcount() == 0) return std::nullopt;
        // Data now, and a size too: another opener of the same new file wrote its first page
        // between our two looks (a real race, seen with four openers at once). Check that.
        size = file_size_or_zero(file);
        if (size == 0)
            return std::string("its size reads as 0 but it holds data (a /proc or /sys file?), so it is no database");
    }
    if (size < 100)
        return "file of " + std::to_string(size) + " bytes is too short for a SQLite database";
    std::array<unsigned char, 100> h{};
    std::ifstream in(file, std::ios::binary);
    if (!in.read(reinterpret_cast<char*>(h.data()), h.size()))
        return std::string("cannot read the file header");
    static constexpr char kMagic[] = "SQLite format 3";   // followed by a NUL: 16 bytes
    if (!std::equal(kMagic, kMagic + 16, h.begin())) return std::string("file is not a database");
    uint64_t page_size = (uint64_t{h[16]} << 8) | h[17];
    if (page_size == 1) page_size = 65536;
    if (page_size < 512 || page_size > 65536 || (page_size & (page_size - 1)) != 0)
        return "invalid page size " + std::to_string(page_size) + " in the header";
    // The in-header page count is trusted only when "version-valid-for" matches the change
    // counter; a non-empty -wal or hot -journal file left by a crash may legitimately go
    // with a main file that is not whole yet (SQLite repairs it on open).
    const bool count_valid = big_endian_u32(&h[24]) == big_endian_u32(&h[92]);
    const uint64_t pages = big_endian_u32(&h[28]);
    const bool repair_pending = file_size_or_zero(fs::path(file.string() + "-wal")) > 0 ||
                                file_size_or_zero(fs::path(file.string() + "-journal")) > 0;
    if (count_valid && !repair_pending && pages * page_size > size)
        return "file is truncated: its header says " + std::to_string(pages * page_size) +
               " bytes, the file has " + std::to_string(size);
    return std::nullopt;
}

struct Inspection {
    int version = 0;
    int tables = 0;
    bool has_runs = false;
};

// One statement, so one snapshot: read as two, a schema committed in between by another
// connection showed version 0 with tables and the file was refused as foreign.
Inspection inspect(SQLite::Database& db) {
    Inspection out;
    SQLite::Statement q(db,
                        "SELECT (SELECT user_version FROM pragma_user_version), count(*), "
                        "coalesce(sum(name = 'runs'), 0) FROM sqlite_master WHERE type = 'table'");
    if (q.executeStep()) {
        out.version = q.getColumn(0).getInt();
        out.tables = q.getColumn(1).getInt();
        out.has_runs = q.getColumn(2).getInt() > 0;
    }
    return out;
}

// Refuses files this build must not write: newer schema, someone else's database.
void check_inspection(const std::string& path, const Inspection& in) {
    const int latest = schema::latest_version();
    if (in.version > latest)
        throw StoreError("database " + path + " was written by a newer ternbench (schema v" +
                         std::to_string(in.version) + ", this build knows up to v" +
                         std::to_string(latest) +
                         "); upgrade ternbench to open it. The file was not changed.");
    if ((in.version == 0 && in.tables > 0) || (in.version > 0 && !in.has_runs))
        throw StoreError(path + " is not a ternbench database (it holds other tables); "
                         "the file was left untouched");
}

// A URI opening the file as immutable: lets a WAL database in a folder we cannot write be
// read, as SQLite could not create its -shm file there (no writer can exist then either).
std::string immutable_uri(const std::string& path) {
    std::string uri = "file:";
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (unsigned char c : path) {
        if (c == '%' || c == '?' || c == '#' || c <= ' ' || c >= 0x7f) {
            uri += '%';
            uri += kHex[c >> 4];
            uri += kHex[c & 15];
        } else {
            uri += static_cast<char>(c);
        }
    }
    return uri + "?immutable=1";
}

bool writable(const fs::path& p) { return ::access(p.c_str(), W_OK) == 0; }

bool is_busy(const SQLite::Exception& e) {
    return e.getErrorCode() == SQLITE_BUSY || e.getErrorCode() == SQLITE_LOCKED;
}

// Switching a file to WAL needs a lock SQLite does not wait for through the busy handler while
// other connections read it (two openers of a fresh file): retried here within the timeout.
void enable_wal(SQLite::Database& db, int busy_timeout_ms) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(busy_timeout_ms, 0));
    for (;;) {
        try {
            SQLite::Statement wal(db, "PRAGMA journal_mode = WAL");
            wal.executeStep();   // a file system without shared memory keeps its mode: accepted
            return;
        } catch (const SQLite::Exception& e) {
            if (!is_busy(e) || std::chrono::steady_clock::now() >= deadline) throw;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

// Creates or upgrades the schema under one IMMEDIATE transaction: the write lock is taken first
// (waiting up to the busy timeout for another opener creating it), then the file is checked
// again and migrated from the version found under the lock. A second opener thus waits and
// then finds the finished schema, never a half-made one.
void upgrade_schema(SQLite::Database& db, const std::string& path) {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    const Inspection locked = inspect(db);
    check_inspection(path, locked);
    if (locked.version >= schema::latest_version()) return;   // another opener did it
    schema::apply_steps(db, locked.version, schema::latest_version());
    tx.commit();
}

// What a killed writer left running (a benchmark program whose supervisor died with it), so
// the user can stop it: it would disturb every later measurement.
std::string leftover_note(int64_t pid, int64_t start_ticks) {
    const auto left = leftover_processes(pid, start_ticks);
    if (left.empty()) return {};
    std::string pids, groups;
    std::vector<int64_t> seen;
    for (const auto& p : left) {
        pids += (pids.empty() ? "" : ", ") + std::to_string(p.pid);
        if (p.process_group > 0 && std::find(seen.begin(), seen.end(), p.process_group) == seen.end()) {
            seen.push_back(p.process_group);
            groups += " kill -- -" + std::to_string(p.process_group) + ";";
        }
    }
    return "; processes it started are still running (pids " + pids + "): stop them with" + groups;
}

}  // namespace

void RunStore::Impl::open() {
    // SQLite opens "" as a private temporary database: a run stored there would be lost.
    if (path.empty()) throw StoreError("no database path given (an empty --db); name a file");
    const fs::path file(path);
    fs::path folder = file.parent_path();
    if (folder.empty()) folder = ".";
    const bool exists = fs::exists(file);
    if (!exists && options.read_only)
        throw StoreError("database " + path + " does not exist (opened read-only, so it was "
                         "not created)");
    if (!exists) {
        std::error_code ec;
        fs::create_directories(folder, ec);
        if (ec)
            throw StoreError("cannot create the folder " + folder.string() + " for database " +
                             path + ": " + ec.message());
    }
    if (exists) {
        if (auto problem = header_problem(file)) throw corrupt_error(path, *problem);
    }

    const bool folder_writable = writable(folder);
    const bool file_writable = !exists || writable(file);
    if (!exists && !folder_writable)
        throw StoreError("cannot create database " + path + ": the folder " + folder.string() +
                         " is not writable");
    read_only = options.read_only || !folder_writable || !file_writable;
    const bool wal_file = fs::exists(fs::path(path + "-wal"));
    const bool use_immutable = read_only && exists && !folder_writable && !wal_file;

    // First look through a read-only connection: a newer, foreign or corrupt file is
    // refused before anything could write to it (not even a WAL checkpoint on close).
    if (exists) {
        try {
            SQLite::Database probe(use_immutable ? immutable_uri(path) : path,
                                   SQLite::OPEN_READONLY | (use_immutable ? SQLITE_OPEN_URI : 0),
                                   options.busy_timeout_ms);
            check_inspection(path, inspect(probe));
        } catch (const SQLite::Exception& e) {
            // A hot journal or WAL needing recovery cannot be handled read-only: leave it to
            // the writable connection below, which checks the same things before writing.
            if (e.getErrorCode() != SQLITE_READONLY || read_only)
                throw map_sqlite_error(path, "open", options.busy_timeout_ms, e);
        }
    }

    try {
        const int flags = read_only ? SQLite::OPEN_READONLY
                                    : (SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db = std::make_unique<SQLite::Database>(use_immutable ? immutable_uri(path) : path,
                                                flags | (use_immutable ? SQLITE_OPEN_URI : 0),
                                                options.busy_timeout_ms);
        if (sqlite3_db_readonly(db->getHandle(), "main") == 1) read_only = true;
        db->exec("PRAGMA foreign_keys = ON");
        const Inspection now = inspect(*db);   // again: another process may have changed it
        check_inspection(path, now);
        if (read_only) {
            if (now.version < schema::latest_version())
                throw StoreError("database " + path + " has schema v" +
                                 std::to_string(now.version) + " but this build reads v" +
                                 std::to_string(schema::latest_version()) +
                                 " and cannot upgrade it: it is read-only. Open it once "
                                 "writable to upgrade it.");
            return;
        }
        enable_wal(*db, options.busy_timeout_ms);
        db->exec("PRAGMA synchronous = NORMAL");
        if (now.version < schema::latest_version()) upgrade_schema(*db, path);
    } catch (const SQLite::Exception& e) {
        db.reset();
        throw map_sqlite_error(path, "open", options.busy_timeout_ms, e);
    }
    mark_interrupted_runs();
}

void RunStore::Impl::mark_interrupted_runs() {
    struct Dead {
        int64_t id = 0, pid = 0, start = 0;
    };
    std::vector<Dead> dead;
    try {
        SQLite::Statement q(*db,
                            "SELECT id, writer_pid, writer_start, writer_boot, writer_host "
                            "FROM runs WHERE status = 'running'");
        auto opt_int = [&](int col) -> std::optional<int64_t> {
            if (q.getColumn(col).isNull()) return std::nullopt;
            return q.getColumn(col).getInt64();
        };
        auto opt_text = [&](int col) -> std::optional<std::string> {
            if (q.getColumn(col).isNull()) return std::nullopt;
            return q.getColumn(col).getString();
        };
        while (q.executeStep()) {
            if (!writer_alive(opt_int(1), opt_int(2), opt_text(3), opt_text(4)))
                dead.push_back({q.getColumn(0).getInt64(), opt_int(1).value_or(0), opt_int(2).value_or(0)});
        }
    } catch (const SQLite::Exception& e) {
        throw map_sqlite_error(path, "check for interrupted runs", options.busy_timeout_ms, e);
    }
    if (dead.empty()) return;
    try {
        SQLite::Transaction tx(*db, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement mark(*db,
                               "UPDATE runs SET status = 'interrupted', error = ? "
                               "WHERE id = ? AND status = 'running'");
        for (const auto& d : dead) {
            mark.reset();
            mark.bind(1, "the process writing this run" +
                             (d.pid > 0 ? " (pid " + std::to_string(d.pid) + ")" : std::string()) +
                             " ended before the run finished" + leftover_note(d.pid, d.start));
            mark.bind(2, static_cast<int64_t>(d.id));
            mark.exec();
        }
        tx.commit();
    } catch (const SQLite::Exception& e) {
        // Another process holding the write lock for longer than the busy timeout must not
        // stop this one from opening: the next open marks them.
        if (e.getErrorCode() == SQLITE_BUSY || e.getErrorCode() == SQLITE_LOCKED) return;
        throw map_sqlite_error(path, "mark interrupted runs", options.busy_timeout_ms, e);
    }
}

}  // namespace tbdb
