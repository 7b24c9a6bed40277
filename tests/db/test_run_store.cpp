// RunStore basics: round trips, begin/finish, listing and filters, pins, bulk listing.
#include <QtTest>

#include <SQLiteCpp/Database.h>

#include <cstdlib>

#include "db/run_store.h"
#include "store_test_support.h"

using namespace tbdb;

class TestRunStore : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    int counter_ = 0;
    std::string fresh_path() {
        return dir_.filePath(QString("store%1.sqlite").arg(++counter_)).toStdString();
    }

private slots:
    void status_names() {
        for (RunStatus s : {RunStatus::Running, RunStatus::Completed, RunStatus::Failed,
                            RunStatus::Cancelled, RunStatus::Interrupted})
            QCOMPARE(status_from_name(status_name(s)), std::optional<RunStatus>(s));
        QCOMPARE(std::string(status_name(RunStatus::Interrupted)), std::string("interrupted"));
        QVERIFY(!status_from_name("Completed"));
        QVERIFY(!status_from_name(""));
    }

    void metric_lookup() {
        const RunRecord r = tbtest::full_run();
        QVERIFY(r.metric("ttft_ms_p50"));
        QCOMPARE(*r.metric("ttft_ms_p50")->value, 81.25);
        QVERIFY(!r.metric("ttft_ms_p99")->value);
        QVERIFY(r.metric("nope") == nullptr);
    }

    void fresh_database_is_current_with_pragmas() {
        const std::string path = fresh_path();
        RunStore store(path);
        QCOMPARE(store.user_version(), RunStore::schema_version());
        QVERIFY(RunStore::schema_version() >= 2);
        QVERIFY(store.integrity_check().empty());
        QCOMPARE(store.count_runs(), int64_t{0});
        QVERIFY(!store.read_only());
        SQLite::Database raw(path, SQLite::OPEN_READONLY);
        QCOMPARE(raw.execAndGet("PRAGMA journal_mode").getString(), std::string("wal"));
    }

    void missing_folder_is_created() {
        const std::string path = dir_.filePath("a/b/c/runs.sqlite").toStdString();
        RunStore store(path);
        QVERIFY(QFile::exists(QString::fromStdString(path)));
        QCOMPARE(store.path(), path);
    }

    void insert_and_load_full_record() {
        RunStore store(fresh_path());
        RunRecord in = tbtest::full_run();
        const int64_t id = store.insert_run(in);
        QVERIFY(id > 0);
        QCOMPARE(in.id, id);
        QVERIFY(!in.uuid.empty());
        auto out = store.load_run(id);
        QVERIFY(out);
        QCOMPARE(QString::fromStdString(tbtest::difference(in, *out)), QString());
        QVERIFY(!out->metric("ttft_ms_p99")->value);   // NULL stays NULL, not 0
        auto by_uuid = store.load_run(in.uuid);
        QVERIFY(by_uuid);
        QCOMPARE(by_uuid->id, id);
        QVERIFY(!store.load_run(id + 100));
        QVERIFY(!store.load_run(std::string("no-such-uuid")));
    }

    void token_times_are_bit_exact() {
        RunStore store(fresh_path());
        RunRecord in = tbtest::full_run();
        std::vector<float> times;
        for (int i = 0; i < 1000; ++i) times.push_back(0.1f * static_cast<float>(i) + 1e-7f * i);
        times.push_back(std::numeric_limits<float>::denorm_min());
        times.push_back(std::numeric_limits<float>::max());
        in.requests[0].token_times_ms = times;
        store.insert_run(in);
        auto out = store.load_run(in.id);
        QVERIFY(out);
        QCOMPARE(out->requests[0].token_times_ms.size(), times.size());
        QVERIFY(std::memcmp(out->requests[0].token_times_ms.data(), times.data(),
                            times.size() * sizeof(float)) == 0);
        QVERIFY(out->requests[1].token_times_ms.empty());
        QVERIFY(!out->requests[1].ttft_ms);
    }

    void begin_then_finish() {
        RunStore store(fresh_path());
        RunRecord run = tbtest::full_run("stream");
        run.metrics.clear();
        run.started_at.clear();
        const int64_t id = store.begin_run(run);
        QCOMPARE(run.id, id);
        QVERIFY(!run.started_at.empty());   // filled in by the store
        auto during = store.load_run(id);
        QVERIFY(during);
        QCOMPARE(during->status, RunStatus::Running);
        QVERIFY(during->metrics.empty());

        run = tbtest::full_run("stream");
        run.id = id;
        run.status = RunStatus::Cancelled;
        run.error = "cancelled by the user";
        store.finish_run(run);
        auto after = store.load_run(id);
        QVERIFY(after);
        QCOMPARE(after->status, RunStatus::Cancelled);
        QCOMPARE(after->error, std::string("cancelled by the user"));
        QCOMPARE(after->metrics.size(), run.metrics.size());
        QCOMPARE(after->requests.size(), run.requests.size());

        // A second finish replaces the contents rather than duplicating them.
        run.status = RunStatus::Completed;
        store.finish_run(run);
        QCOMPARE(store.load_run(id)->metrics.size(), run.metrics.size());

        RunRecord never;
        never.status = RunStatus::Completed;
        QVERIFY_THROWS_EXCEPTION(StoreError, store.finish_run(never));
        run.status = RunStatus::Running;
        QVERIFY_THROWS_EXCEPTION(StoreError, store.finish_run(run));
        RunRecord ghost = tbtest::full_run();
        ghost.id = 9999;
        QVERIFY_THROWS_EXCEPTION(StoreError, store.finish_run(ghost));
    }

    // A failure in the middle of finish_run leaves nothing half-written: the row stays
    // `running` with no contents, and the error says what happened.
    void failed_finish_rolls_back() {
        const std::string path = fresh_path();
        RunStore store(path);
        RunRecord run = tbtest::full_run();
        const int64_t id = store.begin_run(run);
        {
            SQLite::Database raw(path, SQLite::OPEN_READWRITE);
            raw.exec("CREATE TRIGGER fail_request BEFORE INSERT ON requests "
                     "WHEN NEW.stop_reason = 'boom' BEGIN SELECT RAISE(ABORT, 'injected'); END");
        }
        run.status = RunStatus::Completed;
        run.requests[1].stop_reason = "boom";   // metrics are written before requests
        try {
            store.finish_run(run);
            QFAIL("finish_run should have failed");
        } catch (const StoreError& e) {
            QVERIFY2(std::string(e.what()).find("injected") != std::string::npos, e.what());
            QVERIFY2(std::string(e.what()).find(path) != std::string::npos, e.what());
        }
        auto stored = store.load_run(id);
        QVERIFY(stored);
        QCOMPARE(stored->status, RunStatus::Running);
        QVERIFY(stored->metrics.empty());
        QVERIFY(stored->requests.empty());
        // The store is still usable afterwards.
        run.requests[1].stop_reason = "error";
        store.finish_run(run);
        QCOMPARE(store.load_run(id)->status, RunStatus::Completed);
    }

    void duplicate_uuid_is_refused_cleanly() {
        RunStore store(fresh_path());
        RunRecord a = tbtest::full_run();
        store.insert_run(a);
        RunRecord b = tbtest::full_run();
        b.uuid = a.uuid;
        QVERIFY_THROWS_EXCEPTION(StoreError, store.insert_run(b));
        QCOMPARE(b.id, int64_t{0});
        QCOMPARE(store.count_runs(), int64_t{1});
    }

    void insert_runs_is_all_or_nothing() {
        RunStore store(fresh_path());
        RunRecord first = tbtest::full_run();
        store.insert_run(first);
        std::vector<RunRecord> batch{tbtest::full_run(), tbtest::full_run(), tbtest::full_run()};
        batch[2].uuid = first.uuid;   // the last one collides
        QVERIFY_THROWS_EXCEPTION(StoreError, store.insert_runs(batch));
        QCOMPARE(store.count_runs(), int64_t{1});
        QCOMPARE(batch[0].id, int64_t{0});   // no ids handed out for rolled-back rows
        batch[2].uuid.clear();
        const auto ids = store.insert_runs(batch);
        QCOMPARE(ids.size(), size_t{3});
        QCOMPARE(batch[2].id, ids[2]);
        QCOMPARE(store.count_runs(), int64_t{4});
    }

    void list_and_filter() {
        RunStore store(fresh_path());
        std::vector<RunRecord> runs;
        for (int i = 0; i < 12; ++i) {
            RunRecord r = tbtest::full_run(i % 3 == 0 ? "pp" : "single", i);
            if (i % 4 == 0) r.implementation = "llama.cpp";
            if (i == 5) r.status = RunStatus::Failed;
            if (i == 7) r.model.path = "/other/model.gguf";
            if (i == 8) r.host.hostname = "second-host";
            runs.push_back(r);
        }
        const auto ids = store.insert_runs(runs);
        QCOMPARE(ids.size(), size_t{12});
        QCOMPARE(store.count_runs(), int64_t{12});

        auto all = store.list_runs();
        QCOMPARE(all.size(), size_t{12});
        for (size_t i = 1; i < all.size(); ++i) QVERIFY(all[i - 1].id < all[i].id);   // oldest first
        QCOMPARE(all[0].metrics.size(), runs[0].metrics.size());
        QCOMPARE(all[0].metrics[0].name, std::string("tok_s"));
        QVERIFY(!all[0].metrics[2].value);
        QCOMPARE(all[3].workload, std::string("pp"));
        QCOMPARE(all[0].model_sha256, runs[0].model.sha256);
        QCOMPARE(all[0].host, std::string("bench-host"));
        QCOMPARE(all[2].threads, runs[2].threads);

        RunFilter f;
        f.workload = "pp";
        QCOMPARE(store.list_runs(f).size(), size_t{4});
        f = {};
        f.implementation = "llama.cpp";
        QCOMPARE(store.list_runs(f).size(), size_t{3});
        f = {};
        f.status = "failed";
        QCOMPARE(store.list_runs(f).size(), size_t{1});
        f = {};
        f.model_path = "/other/model.gguf";
        QCOMPARE(store.list_runs(f).size(), size_t{1});
        f = {};
        f.host = "second-host";
        QCOMPARE(store.list_runs(f).at(0).id, ids[8]);
        f = {};
        f.text = "OTHER/MODEL";
        QCOMPARE(store.list_runs(f).size(), size_t{1});
        f = {};
        f.text = "llama";
        QCOMPARE(store.list_runs(f).size(), size_t{3});
        f = {};
        f.ids = {ids[1], ids[10], 99999};
        auto picked = store.list_runs(f);
        QCOMPARE(picked.size(), size_t{2});
        QCOMPARE(picked[0].id, ids[1]);
        QCOMPARE(picked[1].id, ids[10]);
        f = {};
        f.last_n = 3;
        auto last = store.list_runs(f);
        QCOMPARE(last.size(), size_t{3});
        QCOMPARE(last[0].id, ids[9]);
        QCOMPARE(last[2].id, ids[11]);
        f.workload = "single";
        f.last_n = 2;
        last = store.list_runs(f);
        QCOMPARE(last.size(), size_t{2});
        QCOMPARE(last[1].id, ids[11]);
        QCOMPARE(last[0].id, ids[10]);
        f = {};
        f.last_n = 0;
        QVERIFY(store.list_runs(f).empty());
        f = {};
        f.workload = "x'; DROP TABLE runs; --";
        QVERIFY(store.list_runs(f).empty());
        QCOMPARE(store.count_runs(), int64_t{12});
    }

    void delete_removes_everything_of_the_run() {
        const std::string path = fresh_path();
        RunStore store(path);
        RunRecord a = tbtest::full_run();
        RunRecord b = tbtest::full_run();
        store.insert_run(a);
        store.insert_run(b);
        store.pin_run(a.id);
        QVERIFY(store.delete_run(a.id));
        QVERIFY(!store.delete_run(a.id));
        QVERIFY(!store.load_run(a.id));
        QVERIFY(store.baselines().empty());   // the pin went with the run
        QVERIFY(store.load_run(b.id));
        SQLite::Database raw(path, SQLite::OPEN_READONLY);
        for (const char* table : {"metrics", "requests", "resource_samples", "sample_series"}) {
            SQLite::Statement q(raw, std::string("SELECT count(*) FROM ") + table +
                                         " WHERE run_id = ?");
            q.bind(1, static_cast<int64_t>(a.id));
            q.executeStep();
            QCOMPARE(q.getColumn(0).getInt(), 0);
        }
        QVERIFY(store.integrity_check().empty());
    }

    void pins() {
        RunStore store(fresh_path());
        QVERIFY(!store.current_baseline());
        RunRecord a = tbtest::full_run();
        RunRecord b = tbtest::full_run();
        b.implementation = "llama.cpp";
        store.insert_run(a);
        store.insert_run(b);
        store.pin_run(a.id);
        QCOMPARE(store.current_baseline()->run_id, std::optional<int64_t>(a.id));
        QVERIFY(!store.current_baseline()->implementation);
        QVERIFY(!store.current_baseline()->created_at.empty());
        store.pin_implementation("llama.cpp");
        auto current = store.current_baseline();
        QCOMPARE(current->implementation, std::optional<std::string>("llama.cpp"));
        QVERIFY(!current->run_id);
        QCOMPARE(store.baselines().size(), size_t{2});
        store.pin_run(a.id);   // re-pinning moves it to the front, no duplicate
        QCOMPARE(store.baselines().size(), size_t{2});
        QCOMPARE(store.current_baseline()->run_id, std::optional<int64_t>(a.id));

        auto listed = store.list_runs();
        QVERIFY(listed[0].pinned);
        QVERIFY(!listed[1].pinned);

        QVERIFY_THROWS_EXCEPTION(StoreError, store.pin_run(12345));
        QVERIFY_THROWS_EXCEPTION(StoreError, store.pin_implementation("no.such.impl"));
        QVERIFY_THROWS_EXCEPTION(StoreError, store.unpin(12345));
        store.unpin(store.current_baseline()->id);
        QCOMPARE(store.current_baseline()->implementation,
                 std::optional<std::string>("llama.cpp"));
        QCOMPARE(store.baselines().size(), size_t{1});
    }

    // Listing 10,000 runs with their metrics: built in one transaction, checked for count and
    // content (metrics come from a single query; no timing assertion).
    void ten_thousand_runs() {
        RunStore store(fresh_path());
        std::vector<RunRecord> runs;
        runs.reserve(10000);
        RunRecord base = tbtest::full_run("tg");
        base.requests.clear();
        base.resources.clear();
        base.samples.clear();
        for (int i = 0; i < 10000; ++i) {
            RunRecord r = base;
            r.metrics[0].value = static_cast<double>(i);
            r.workload = i % 2 ? "tg" : "pp";
            runs.push_back(std::move(r));
        }
        QElapsedTimer timer;
        timer.start();
        store.insert_runs(runs);
        const qint64 insert_ms = timer.restart();
        auto listed = store.list_runs();
        const qint64 list_ms = timer.elapsed();
        qInfo("10,000 runs: insert %lld ms, list with metrics %lld ms", insert_ms, list_ms);
        QCOMPARE(listed.size(), size_t{10000});
        for (size_t i = 0; i < listed.size(); ++i) {
            QCOMPARE(listed[i].metrics.size(), base.metrics.size());
            QCOMPARE(*listed[i].metrics[0].value, static_cast<double>(i));
            QVERIFY(!listed[i].metrics[2].value);
        }
        RunFilter f;
        f.workload = "tg";
        f.last_n = 10;
        auto last = store.list_runs(f);
        QCOMPARE(last.size(), size_t{10});
        QCOMPARE(*last.back().metrics[0].value, 9999.0);
        QCOMPARE(store.count_runs(), int64_t{10000});
    }

    void default_path_follows_xdg() {
        const QByteArray old_xdg = qgetenv("XDG_DATA_HOME");
        const QByteArray old_home = qgetenv("HOME");
        qputenv("XDG_DATA_HOME", "/xdg/data");
        QCOMPARE(RunStore::default_path(), std::string("/xdg/data/ternbench/ternbench.sqlite"));
        qputenv("XDG_DATA_HOME", "relative/ignored");
        qputenv("HOME", "/home/someone");
        QCOMPARE(RunStore::default_path(),
                 std::string("/home/someone/.local/share/ternbench/ternbench.sqlite"));
        qunsetenv("XDG_DATA_HOME");
        QCOMPARE(RunStore::default_path(),
                 std::string("/home/someone/.local/share/ternbench/ternbench.sqlite"));
        if (old_xdg.isNull()) qunsetenv("XDG_DATA_HOME"); else qputenv("XDG_DATA_HOME", old_xdg);
        qputenv("HOME", old_home);
    }
};

QTEST_APPLESS_MAIN(TestRunStore)
#include "test_run_store.moc"
