#include "db/store_checks.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <map>
#include <set>

#include "db/run_store_impl.h"
#include "db/schema.h"
#include "db/timestamps.h"

namespace tbdb {
namespace {

// table -> its columns; "table/index" names under the pseudo table "(indexes)".
using SchemaShape = std::map<std::string, std::set<std::string>>;

SchemaShape shape_of(SQLite::Database& db) {
    SchemaShape shape;
    std::vector<std::string> tables;
    {
        SQLite::Statement q(db, "SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'");
        while (q.executeStep()) {
            const std::string type = q.getColumn(0).getString(), name = q.getColumn(1).getString();
            if (type == "table") tables.push_back(name);
            else if (type == "index") shape["(indexes)"].insert(q.getColumn(2).getString() + "/" + name);
        }
    }
    for (const auto& t : tables) {
        auto& cols = shape[t];
        SQLite::Statement info(db, "SELECT name FROM pragma_table_info(?)");
        info.bind(1, t);
        while (info.executeStep()) cols.insert(info.getColumn(0).getString());
    }
    return shape;
}

const SchemaShape& expected_shape() {
    static const SchemaShape shape = [] {
        SQLite::Database mem(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        schema::migrate(mem, schema::latest_version());
        return shape_of(mem);
    }();
    return shape;
}

std::vector<std::string> missing_parts(SQLite::Database& db) {
    std::vector<std::string> problems;
    const SchemaShape have = shape_of(db);
    for (const auto& [table, names] : expected_shape()) {
        const bool indexes = table == "(indexes)";
        const auto it = have.find(table);
        for (const auto& n : names) {
            if (it != have.end() && it->second.count(n)) continue;
            if (indexes) {
                // An index of a missing table goes without saying.
                const std::string table_of = n.substr(0, n.find('/'));
                if (have.count(table_of)) problems.push_back("index " + n.substr(n.find('/') + 1) + " is missing");
            } else if (it == have.end()) {
                problems.push_back("table " + table + " is missing");
                break;
            } else problems.push_back("column " + table + "." + n + " is missing");
        }
    }
    return problems;
}

template <typename F>
auto on_own_connection(const std::string& path, const std::string& action, int flags, int busy_ms, F&& f) {
    try {
        SQLite::Database db(path, flags, busy_ms);
        return f(db);
    } catch (const SQLite::Exception& e) {
        throw map_sqlite_error(path, action, busy_ms, e);
    }
}

}  // namespace

std::vector<std::string> schema_problems(const std::string& path) {
    return on_own_connection(path, "check the schema", SQLite::OPEN_READONLY, 5000,
                             [](SQLite::Database& db) { return missing_parts(db); });
}

void require_sound_for_write(const RunStore& store) {
    const std::string& path = store.path();
    on_own_connection(path, "check the database before writing", SQLite::OPEN_READONLY, 5000, [&](SQLite::Database& db) {
        std::string problem;
        SQLite::Statement q(db, "PRAGMA quick_check(5)");
        while (q.executeStep()) {
            const std::string line = q.getColumn(0).getString();
            if (line != "ok") problem += (problem.empty() ? "" : "; ") + line;
        }
        if (!problem.empty()) throw corrupt_error(path, "quick_check: " + problem);
        const auto missing = missing_parts(db);
        if (!missing.empty())
            throw StoreError("database " + path + " lacks part of its schema (" + missing.front() +
                             (missing.size() > 1 ? ", and " + std::to_string(missing.size() - 1) + " more" : "") +
                             "); nothing was written to it. `ternbench db check` lists the problems");
        return 0;
    });
}

bool mark_run_cancelled(const std::string& path, int64_t id, const std::string& error, int busy_timeout_ms) {
    return on_own_connection(path, "mark run " + std::to_string(id) + " cancelled", SQLite::OPEN_READWRITE,
                             busy_timeout_ms, [&](SQLite::Database& db) {
                                 SQLite::Statement s(db,
                                                     "UPDATE runs SET status = 'cancelled', finished_at = ?, error = ? "
                                                     "WHERE id = ? AND status = 'running'");
                                 s.bind(1, utc_timestamp_now());
                                 s.bind(2, error);
                                 s.bind(3, static_cast<int64_t>(id));
                                 return s.exec() > 0;
                             });
}

}  // namespace tbdb
