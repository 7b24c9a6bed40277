// Several connections opening the same fresh database at once (the window's store worker and
// a run thread on first start, or the GUI and the CLI): every opener succeeds, the schema is
// created exactly once at the latest version, and the runs written by each are all there.
#include <QtTest>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "db/run_store.h"
#include "store_test_support.h"

using namespace tbdb;

namespace {

struct OpenerResult {
    std::string error;      // empty when the opener succeeded
    std::string run_uuid;   // the run it inserted
};

// Starts `openers` threads that open `path` at the same instant and insert one run each.
std::vector<OpenerResult> open_concurrently(const std::string& path, int openers) {
    std::vector<OpenerResult> results(static_cast<size_t>(openers));
    std::latch start(openers);
    std::vector<std::thread> threads;
    for (int i = 0; i < openers; ++i) {
        threads.emplace_back([&, i] {
            OpenerResult& out = results[static_cast<size_t>(i)];
            start.arrive_and_wait();
            try {
                RunStore store(path);
                RunRecord run = tbtest::full_run("single", i);
                store.insert_run(run);
                out.run_uuid = run.uuid;
            } catch (const std::exception& e) {
                out.error = e.what();
            }
        });
    }
    for (auto& t : threads) t.join();
    return results;
}

int table_count(const std::string& path) {
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    SQLite::Statement q(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'");
    q.executeStep();
    return q.getColumn(0).getInt();
}

}  // namespace

class TestConcurrentOpen : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void fresh_database_opened_by_many_at_once() {
        QVERIFY(dir_.isValid());
        // Races are timing-dependent: many fresh files make a lost race very likely to show.
        constexpr int kRounds = 40;
        constexpr int kOpeners = 4;
        int expected_tables = -1;
        for (int round = 0; round < kRounds; ++round) {
            const std::string path =
                dir_.filePath(QString("fresh-%1/runs.sqlite").arg(round)).toStdString();
            const auto results = open_concurrently(path, kOpeners);
            for (const auto& r : results)
                QVERIFY2(r.error.empty(), ("round " + std::to_string(round) +
                                           ": an opener failed: " + r.error).c_str());

            RunStore check(path, /*read_only=*/true);
            QCOMPARE(check.user_version(), RunStore::schema_version());
            QCOMPARE(check.count_runs(), int64_t{kOpeners});
            for (const auto& r : results)
                QVERIFY2(check.load_run(r.run_uuid).has_value(),
                         ("run missing: " + r.run_uuid).c_str());
            QVERIFY(check.integrity_check().empty());
            // The schema was created once: every round ends with the same tables.
            const int tables = table_count(path);
            if (expected_tables < 0) expected_tables = tables;
            QCOMPARE(tables, expected_tables);
        }
    }

    void empty_file_opened_by_many_at_once() {
        // An empty file (e.g. made by `touch`) is a new database too.
        for (int round = 0; round < 10; ++round) {
            const std::string path =
                dir_.filePath(QString("empty-%1.sqlite").arg(round)).toStdString();
            tbtest::write_bytes(path, "");
            const auto results = open_concurrently(path, 3);
            for (const auto& r : results)
                QVERIFY2(r.error.empty(), ("round " + std::to_string(round) +
                                           ": an opener failed: " + r.error).c_str());
            RunStore check(path, /*read_only=*/true);
            QCOMPARE(check.user_version(), RunStore::schema_version());
            QCOMPARE(check.count_runs(), int64_t{3});
        }
    }
};

QTEST_APPLESS_MAIN(TestConcurrentOpen)
#include "test_concurrent_open.moc"
