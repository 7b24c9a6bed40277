// Schema versions: a database of EVERY earlier version opens with its data intact and is
// brought to the current schema; a newer or foreign database is refused untouched.
#include <QtTest>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "db/blob_codec.h"
#include "db/run_store.h"
#include "db/schema.h"
#include "store_test_support.h"

using namespace tbdb;

namespace {

// Data written with SQL that only uses version-1 columns, as an old build would have.
void fill_old_database(SQLite::Database& db) {
    db.exec("INSERT INTO hosts VALUES (1, 'old-host', 'Old CPU', 'Debian 11', '5.10', 4, 8, "
            "'AVX2', 15.5)");
    db.exec("INSERT INTO models VALUES (1, '/m/old.gguf', 'ff00', 123456, 'bitnet', 'TQ1_0', "
            "700000000)");
    db.exec("INSERT INTO implementations VALUES (1, 'ternbench/scalar')");
    db.exec("INSERT INTO runs (id, uuid, started_at, finished_at, status, workload, "
            "implementation_id, kernel, impl_version, threads, config_json, host_id, model_id, "
            "error, source) VALUES (1, 'uuid-old-1', '2025-01-01T00:00:00Z', "
            "'2025-01-01T00:01:00Z', 'completed', 'single', 1, 'scalar', 'c0ffee', 4, '{}', 1, 1, "
            "'', 'run')");
    db.exec("INSERT INTO runs (id, uuid, started_at, status, workload, implementation_id) "
            "VALUES (2, 'uuid-old-2', '2025-01-02T00:00:00Z', 'running', 'tg', 1)");
    db.exec("INSERT INTO metrics (run_id, name, value, unit, n, note) VALUES "
            "(1, 'tok_s', 7.25, 'tok/s', 5, ''), (1, 'ttft_ms_p99', NULL, 'ms', 5, 'too few')");
    SQLite::Statement req(db,
                          "INSERT INTO requests (run_id, idx, repetition, prompt_tokens, "
                          "output_tokens, submit_ms, ttft_ms, e2e_ms, token_times, stop_reason) "
                          "VALUES (1, 0, 0, 5, 3, 1.5, 20.5, 60.25, ?, 'length')");
    const std::string blob = blob::pack_f32({20.5f, 40.25f, 60.25f});
    req.bind(1, blob.data(), static_cast<int>(blob.size()));
    req.exec();
    db.exec("INSERT INTO resource_samples (run_id, t_ms, rss_anon_mb, rss_file_mb, vm_hwm_mb, "
            "cpu_user_s, cpu_sys_s, threads) VALUES (1, 0, 10, 20, 30, 0.5, 0.25, 4)");
}

}  // namespace

class TestMigrations : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    int counter_ = 0;
    std::string fresh_path() {
        return dir_.filePath(QString("m%1.sqlite").arg(++counter_)).toStdString();
    }

private slots:
    void there_are_real_versions() { QVERIFY(schema::latest_version() >= 2); }

    void from_every_earlier_version_data() {
        QTest::addColumn<int>("version");
        for (int v = 1; v < schema::latest_version(); ++v)
            QTest::newRow(qPrintable(QString("v%1").arg(v))) << v;
    }
    void from_every_earlier_version() {
        QFETCH(int, version);
        const std::string path = fresh_path();
        {
            SQLite::Database old(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
            schema::migrate(old, version);
            QCOMPARE(old.execAndGet("PRAGMA user_version").getInt(), version);
            fill_old_database(old);
        }
        RunStore store(path);
        QCOMPARE(store.user_version(), RunStore::schema_version());
        QVERIFY(store.integrity_check().empty());
        QCOMPARE(store.count_runs(), int64_t{2});

        auto run = store.load_run(std::string("uuid-old-1"));
        QVERIFY(run);
        QCOMPARE(run->status, RunStatus::Completed);
        QCOMPARE(run->implementation, std::string("ternbench/scalar"));
        QCOMPARE(run->host.hostname, std::string("old-host"));
        QCOMPARE(run->host.mem_total_gb, 15.5);
        QCOMPARE(run->model.ternary_type, std::string("TQ1_0"));
        QCOMPARE(run->model.n_params, int64_t{700000000});
        QCOMPARE(run->metrics.size(), size_t{2});
        QCOMPARE(*run->metric("tok_s")->value, 7.25);
        QVERIFY(!run->metric("ttft_ms_p99")->value);
        QCOMPARE(run->requests.size(), size_t{1});
        QCOMPARE(run->requests[0].token_times_ms, (std::vector<float>{20.5f, 40.25f, 60.25f}));
        QCOMPARE(run->resources.size(), size_t{1});
        QCOMPARE(run->resources[0].vm_hwm_mb, 30.0);
        QVERIFY(run->samples.empty());

        // A run left running by an old build has no recorded writer: it was interrupted.
        QCOMPARE(store.load_run(std::string("uuid-old-2"))->status, RunStatus::Interrupted);

        // The newer tables and columns work on the migrated file.
        store.pin_run(run->id);
        QCOMPARE(store.current_baseline()->run_id, std::optional<int64_t>(run->id));
        RunRecord fresh = tbtest::full_run();
        store.insert_run(fresh);
        QCOMPARE(QString::fromStdString(tbtest::difference(fresh, *store.load_run(fresh.id))),
                 QString());
        RunRecord live = tbtest::full_run();
        store.begin_run(live);
        QCOMPARE(store.list_runs().size(), size_t{4});
    }

    void migrating_twice_is_harmless() {
        const std::string path = fresh_path();
        { RunStore first(path); }
        RunStore again(path);
        QCOMPARE(again.user_version(), RunStore::schema_version());
        QVERIFY(again.integrity_check().empty());
    }

    void newer_version_is_refused_untouched() {
        const std::string path = fresh_path();
        {
            RunStore store(path);
            RunRecord r = tbtest::full_run();
            store.insert_run(r);
        }
        {
            SQLite::Database raw(path, SQLite::OPEN_READWRITE);
            raw.exec("PRAGMA user_version = " + std::to_string(RunStore::schema_version() + 1));
        }
        const std::string before = tbtest::read_bytes(path);
        try {
            RunStore store(path);
            QFAIL("a newer schema must be refused");
        } catch (const StoreError& e) {
            const std::string msg = e.what();
            QVERIFY2(msg.find("newer ternbench") != std::string::npos, e.what());
            QVERIFY2(msg.find("upgrade ternbench") != std::string::npos, e.what());
            QVERIFY2(msg.find(path) != std::string::npos, e.what());
        }
        QVERIFY_THROWS_EXCEPTION(StoreError, RunStore(path, true));
        QCOMPARE(tbtest::read_bytes(path), before);
    }

    void foreign_sqlite_database_is_refused_untouched() {
        const std::string path = fresh_path();
        {
            SQLite::Database raw(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
            raw.exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)");
            raw.exec("INSERT INTO invoices (amount) VALUES (12.5)");
        }
        const std::string before = tbtest::read_bytes(path);
        try {
            RunStore store(path);
            QFAIL("a database of another program must be refused");
        } catch (const StoreError& e) {
            QVERIFY2(std::string(e.what()).find("not a ternbench database") != std::string::npos,
                     e.what());
        }
        QCOMPARE(tbtest::read_bytes(path), before);
    }
};

QTEST_APPLESS_MAIN(TestMigrations)
#include "test_migrations.moc"
