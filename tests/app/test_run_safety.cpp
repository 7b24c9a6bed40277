// What a run measured survives a store that refuses the final write (a second connection holds
// an exclusive lock, or a table was dropped meanwhile): the write is retried, then the run goes
// to an importable JSON file beside the store whose path the error names. A damaged store is
// refused before a run starts, and bad flags store nothing.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <SQLiteCpp/Database.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "app/core/run_checks.h"
#include "app/core/runner.h"
#include "app/legacy/importer.h"
#include "db/run_store.h"
#include "db/store_checks.h"

using namespace bench;

namespace {

// Runs `action` on a second connection when the run has started (its row exists).
struct OnStarted : RunObserver {
    std::function<void()> action;
    void on_started(int64_t, const tbdb::RunRecord&) override {
        if (action) action();
    }
};

BenchmarkSpec tiny_single() {
    BenchmarkSpec s;
    s.workload = "single";
    s.demo_preset = "tiny";
    s.repetitions = 1;
    s.warmup = 0;
    s.max_tokens = 3;
    s.threads = 1;
    return s;
}

std::string text_of(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

class TestRunSafety : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    std::string db(const char* name) { return dir_.filePath(name).toStdString(); }
    static tbdb::StoreOptions short_wait() {
        tbdb::StoreOptions o;
        o.busy_timeout_ms = 200;
        return o;
    }

    // Runs once with `during` done on a second connection after the row exists; returns the
    // StoreError message (empty when the run was stored).
    std::string run_with(const std::string& path, const std::function<void(SQLite::Database&)>& during,
                         tbdb::RunRecord* measured = nullptr) {
        tbdb::RunStore store(path, short_wait());
        std::unique_ptr<SQLite::Database> other;
        OnStarted obs;
        obs.action = [&] {
            other = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE, 200);
            during(*other);
        };
        Runner runner(store);
        runner.set_save_retry({2, std::chrono::milliseconds(50)});
        try {
            auto run = runner.run(tiny_single(), &obs);
            if (measured) *measured = run;
        } catch (const tbdb::StoreError& e) {
            return e.what();   // closing `other` ends its transaction
        }
        return {};
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        if (qgetenv("TERNBENCH_CACHE_DIR").isEmpty()) qputenv("TERNBENCH_CACHE_DIR", dir_.filePath("cache").toUtf8());
    }

    // Regression: an exclusive lock held from the middle of a run made it exit 4 with every
    // measurement thrown away.
    void locked_store_keeps_the_measurements_in_a_file() {
        const std::string path = db("locked.sqlite");
        const std::string error = run_with(path, [](SQLite::Database& other) { other.exec("BEGIN EXCLUSIVE"); });
        QVERIFY2(error.find("locked") != std::string::npos, error.c_str());
        QVERIFY2(error.find("NOT lost") != std::string::npos, error.c_str());
        const auto pos = error.find(path + ".unsaved-");
        QVERIFY2(pos != std::string::npos, error.c_str());
        const std::string file = error.substr(pos, error.find(';', pos) - pos);
        QVERIFY2(std::filesystem::exists(file), file.c_str());

        // The file is a ternbench export with the full run: requests and figures.
        ImportOptions opt;
        auto imported = import_file(file, opt);
        QCOMPARE(imported.runs.size(), size_t(1));
        QCOMPARE(imported.runs[0].status, tbdb::RunStatus::Completed);
        QCOMPARE(imported.runs[0].requests.size(), size_t(5));
        QVERIFY(imported.runs[0].metric("e2e_ms_p50"));

        // Importing it (once the lock is gone) replaces the unfinished row: one run, completed.
        QProcess p;
        p.start(TB_TERNBENCH_EXE, {"import", QString::fromStdString(file), "--db", QString::fromStdString(path)});
        QVERIFY(p.waitForFinished(300000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        QVERIFY2(p.readAllStandardOutput().contains("replacing"), "the unfinished row was not replaced");
        tbdb::RunStore store(path);
        QCOMPARE(store.count_runs(), int64_t(1));
        auto stored = store.load_run(imported.runs[0].uuid);
        QVERIFY(stored);
        QCOMPARE(stored->status, tbdb::RunStatus::Completed);
        QCOMPARE(stored->requests.size(), size_t(5));
    }

    // Regression: a `metrics` table dropped during the run threw the run away as well.
    void table_dropped_during_the_run_keeps_the_measurements() {
        const std::string path = db("dropped.sqlite");
        const std::string error = run_with(path, [](SQLite::Database& other) { other.exec("DROP TABLE metrics"); });
        QVERIFY2(error.find("NOT lost") != std::string::npos, error.c_str());
        QVERIFY2(error.find("metrics") != std::string::npos, error.c_str());
        const auto pos = error.find(path + ".unsaved-");
        QVERIFY(pos != std::string::npos);
        const std::string file = error.substr(pos, error.find(';', pos) - pos);
        QVERIFY(text_of(file).find("e2e_ms") != std::string::npos);
    }

    // A store missing a table is refused before the run (nothing measured, nothing lost), and
    // its schema problem is named.
    void incomplete_schema_is_refused_before_the_run() {
        const std::string path = db("no-metrics.sqlite");
        {
            tbdb::RunStore create(path);
        }
        {
            SQLite::Database other(path, SQLite::OPEN_READWRITE);
            other.exec("DROP TABLE metrics");
        }
        tbdb::RunStore store(path, short_wait());
        const auto problems = tbdb::schema_problems(path);
        QCOMPARE(problems.size(), size_t(1));
        QCOMPARE(problems[0], std::string("table metrics is missing"));
        OnStarted obs;
        bool started = false;
        obs.action = [&] { started = true; };
        QVERIFY_THROWS_EXCEPTION(tbdb::StoreError, Runner(store).run(tiny_single(), &obs));
        QVERIFY(!started);
        QCOMPARE(store.count_runs(), int64_t(0));
    }

    // Regression: 40 bytes of 0xFF on the runs table's page; `list` called the store corrupt
    // but `run` wrote into it and reported success.
    void damaged_page_is_refused_before_the_run() {
        const std::string path = db("damaged.sqlite");
        int64_t root = 0, page_size = 0;
        {
            tbdb::RunStore store(path);
            const std::string when = "2026-01-01T00:00:00Z", workload = "tg", implementation = "x";
            for (int i = 0; i < 3; ++i) {
                tbdb::RunRecord r;
                r.workload = workload;
                r.status = tbdb::RunStatus::Completed;
                r.started_at = when;
                r.implementation = implementation;
                store.insert_run(r);
            }
        }
        {
            SQLite::Database raw(path, SQLite::OPEN_READWRITE);
            raw.exec("PRAGMA wal_checkpoint(TRUNCATE)");
            root = raw.execAndGet("SELECT rootpage FROM sqlite_master WHERE name = 'runs'").getInt64();
            page_size = raw.execAndGet("PRAGMA page_size").getInt64();
        }
        {
            std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
            f.seekp((root - 1) * page_size + page_size - 200);
            char ff[40];
            std::memset(ff, 0xff, sizeof ff);
            f.write(ff, sizeof ff);
        }
        bool refused = false;
        try {
            tbdb::RunStore store(path, short_wait());
            Runner(store).run(tiny_single());
        } catch (const tbdb::StoreError& e) {
            refused = true;
            QVERIFY2(std::string(e.what()).find("nothing was written") != std::string::npos, e.what());
        }
        QVERIFY2(refused, "a run was written into a damaged store");
    }

    // Regression: an unknown kernel, preset or type was a stored failed run (exit 1).
    void bad_flags_store_nothing() {
        const std::string path = db("flags.sqlite");
        tbdb::RunStore store(path);
        for (auto edit : std::vector<std::function<void(BenchmarkSpec&)>>{
                 [](BenchmarkSpec& s) { s.kernel = "avx9000"; }, [](BenchmarkSpec& s) { s.demo_preset = "huge"; },
                 [](BenchmarkSpec& s) { s.demo_type = "q4_0"; }, [](BenchmarkSpec& s) { s.threads = 100000; },
                 [](BenchmarkSpec& s) { s.workload = "batch"; s.concurrency = 100000; }}) {
            BenchmarkSpec spec = tiny_single();
            edit(spec);
            QCOMPARE(check_run_flags(spec).kind, RunCheck::Kind::BadFlags);
            const auto run = Runner(store).run(spec);
            QCOMPARE(run.status, tbdb::RunStatus::Failed);
            QCOMPARE(run.id, int64_t(0));
        }
        QCOMPARE(store.count_runs(), int64_t(0));
        QVERIFY(store.list_runs().empty());
    }
};

QTEST_APPLESS_MAIN(TestRunSafety)
#include "test_run_safety.moc"
