// Issue 11 end to end through the real binary: flags out of range are refused before any work
// (exit 2, nothing stored); SIGINT / SIGTERM end every phase (exit 130, the run stored as
// cancelled); the legacy child never outlives ternbench; store paths that would lose runs are
// refused; compare and export say what is wrong. The only time limits are generous bounds a
// hang would cross.
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <chrono>
#include <fstream>
#include <thread>

#include <SQLiteCpp/Database.h>
#include <nlohmann/json.hpp>

namespace {

bool alive(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(f, line)) return false;
    const auto paren = line.rfind(')');
    return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] != 'Z';
}

bool gone_within(pid_t pid, int seconds) {
    for (int i = 0; i < seconds * 20; ++i) {
        if (!alive(pid)) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return !alive(pid);
}

// Pids written by a helper script to a file, once it exists.
std::vector<pid_t> pids_from(const QString& file, int seconds = 120) {
    std::vector<pid_t> out;
    for (int i = 0; i < seconds * 20 && out.empty(); ++i) {
        std::ifstream in(file.toStdString());
        long v;
        while (in >> v) out.push_back(static_cast<pid_t>(v));
        if (out.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return out;
}

}  // namespace

class TestCliReliability : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    struct Result {
        int code = -1;
        QByteArray out, err;
        double seconds = 0;
    };
    Result ternbench(const QStringList& args, const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment()) {
        QProcess p;
        p.setProcessEnvironment(env);
        const auto t0 = std::chrono::steady_clock::now();
        p.start(TB_TERNBENCH_EXE, args);
        Result r;
        if (!p.waitForStarted()) return r;
        p.waitForFinished(600000);
        r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        return r;
    }
    static nlohmann::json parse(const QByteArray& text) { return nlohmann::json::parse(text.toStdString(), nullptr, false); }
    QString helper(const char* name) { return QString(TB_TEST_HELPER_DIR) + "/" + name; }
    QString fixture(const char* name) { return QString(TB_FIXTURES_DIR) + "/" + name; }

    // Starts ternbench, waits until stderr shows `phase`, sends `sig`, and returns how it ended.
    Result signal_in_phase(const QStringList& args, const QByteArray& phase, int sig,
                           const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment()) {
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(TB_TERNBENCH_EXE, args);
        Result r;
        if (!p.waitForStarted()) return r;
        QByteArray err;
        for (int i = 0; i < 3000 && !err.contains(phase) && p.state() == QProcess::Running; ++i) {
            p.waitForReadyRead(100);
            err += p.readAllStandardError();
        }
        if (!err.contains(phase)) {
            p.kill();
            p.waitForFinished();
            r.err = err + p.readAllStandardError();
            return r;
        }
        const auto t0 = std::chrono::steady_clock::now();
        ::kill(static_cast<pid_t>(p.processId()), sig);
        p.waitForFinished(120000);   // a hang crosses this, an orderly end never does
        r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (p.state() != QProcess::NotRunning) {
            p.kill();
            p.waitForFinished();
        }
        r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = p.readAllStandardOutput();
        r.err = err + p.readAllStandardError();
        return r;
    }

    // The status of the newest run in a store.
    std::string last_status(const QString& db) {
        auto list = parse(ternbench({"list", "--db", db, "--json"}).out);
        if (!list.is_object() || list["runs"].empty()) return "(none)";
        return list["runs"].back()["status"].get<std::string>();
    }

private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    // Regressions: -t 100000 spawned 32,000 threads, -c 100000 grew 750 MB/s, --rate inf and
    // --rate 1e9 drained forever, --duration 1e10 "completed" with 0 requests, --seed -1 wrapped
    // to 2^64-1, --db "" stored the run nowhere, unknown preset/type/kernel were stored failed
    // runs. All are bad flags now: exit 2, before anything is made, opened or stored.
    void flags_out_of_range_are_refused_before_work_data() {
        QTest::addColumn<QStringList>("flags");
        QTest::addColumn<QString>("named");
        QTest::newRow("threads") << QStringList{"-w", "tg", "-t", "100000"} << "--threads";
        QTest::newRow("concurrency") << QStringList{"-w", "batch", "--concurrency", "100000", "--max-tokens", "8"} << "--concurrency";
        QTest::newRow("rate inf") << QStringList{"-w", "server", "--rate", "inf"} << "--rate";
        QTest::newRow("rate 1e9") << QStringList{"-w", "server", "--rate", "1e9", "--duration", "1"} << "--rate";
        QTest::newRow("duration 1e10") << QStringList{"-w", "server", "--rate", "1", "--duration", "1e10"} << "--duration";
        QTest::newRow("no request") << QStringList{"-w", "server", "--rate", "0.1", "--duration", "1"} << "at least one";
        QTest::newRow("preset") << QStringList{"--preset", "huge"} << "huge";
        QTest::newRow("type") << QStringList{"--type", "q4_0"} << "q4_0";
        QTest::newRow("kernel") << QStringList{"--kernel", "avx9000"} << "avx9000";
        QTest::newRow("seed") << QStringList{"--seed", "-1"} << "--seed";
        QTest::newRow("temperature") << QStringList{"--temperature", "nan"} << "--temperature";
        QTest::newRow("n-ctx") << QStringList{"--n-ctx", "100000000"} << "--n-ctx";
        // The HTTP driver's flags, checked in the same place.
        QTest::newRow("https endpoint") << QStringList{"-w", "stream", "--endpoint", "https://127.0.0.1:1"} << "--endpoint";
        QTest::newRow("endpoint port") << QStringList{"-w", "stream", "--endpoint", "http://127.0.0.1:99999"} << "--endpoint";
        QTest::newRow("pp over http") << QStringList{"-w", "pp", "--endpoint", "http://127.0.0.1:1"} << "cannot run against an endpoint";
        QTest::newRow("request timeout") << QStringList{"-w", "stream", "--request-timeout", "0"} << "--request-timeout";
        QTest::newRow("forbid list") << QStringList{"-w", "stream", "--forbid-tokens", "5-3"} << "--forbid-tokens";
        QTest::newRow("byte tokens without model") << QStringList{"-w", "stream", "--endpoint", "http://127.0.0.1:1", "--forbid-byte-tokens"} << "needs --model";
    }
    void flags_out_of_range_are_refused_before_work() {
        QFETCH(QStringList, flags);
        QFETCH(QString, named);
        const QString db = dir_.filePath("flags.sqlite");
        auto r = ternbench(QStringList{"run", "--db", db, "--reps", "1", "--warmup", "0"} + flags);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(named.toUtf8()), r.err.constData());
        QVERIFY2(!r.err.contains("preparing demo model"), r.err.constData());
        QVERIFY2(!QFile::exists(db), "a flag error must not create or touch the database");
    }

    void store_paths_that_would_lose_runs() {
        // "" is a private temporary database to SQLite: the run went nowhere.
        auto empty = ternbench({"run", "--db", "", "--preset", "tiny", "-w", "tg", "-n", "4", "--reps", "1"});
        QCOMPARE(empty.code, 2);
        QVERIFY2(empty.err.contains("--db"), empty.err.constData());
        // A /proc file reads as empty by its size; it was shown as "schema v0, read-only".
        auto proc = ternbench({"db", "check", "--db", "/proc/self/status"});
        QCOMPARE(proc.code, 4);
        QVERIFY2(proc.err.contains("/proc") && !proc.err.contains("schema v0"), proc.err.constData());
        // A folder that does not exist is created, and said so.
        const QString nested = dir_.filePath("new/sub/runs.sqlite");
        auto created = ternbench({"run", "--db", nested, "--preset", "tiny", "-w", "tg", "-n", "4", "--reps", "1",
                                  "--warmup", "0", "-t", "1"});
        QCOMPARE(created.code, 0);
        QVERIFY2(created.err.contains("does not exist; creating it") && created.err.contains("new/sub"), created.err.constData());
    }

    // Regression: "cannot move the finished file into place (Success)": the errno was lost.
    void export_into_a_folder_names_the_problem() {
        const QString db = dir_.filePath("export.sqlite");
        QCOMPARE(ternbench({"import", fixture("llama-bench/llamacpp-tiny-tq2_0.json"), "--db", db}).code, 0);
        auto r = ternbench({"export", "--format", "md", "-o", dir_.path(), "--db", db});
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("is a folder") && !r.err.contains("Success"), r.err.constData());
    }

    // Regressions: a tg run compared with a pp run printed a ratio without a word; a failed run
    // gave an empty table and exit 0.
    void compare_warns_and_refuses() {
        const QString db = dir_.filePath("compare.sqlite");
        const QStringList common = {"--db", db, "--preset", "tiny", "--reps", "2", "--warmup", "0", "-t", "1"};
        QCOMPARE(ternbench(QStringList{"run", "-w", "tg", "-n", "4"} + common).code, 0);
        QCOMPARE(ternbench(QStringList{"run", "-w", "pp", "-p", "8"} + common).code, 0);
        auto cmp = ternbench({"compare", "1", "2", "--db", db});
        QCOMPARE(cmp.code, 0);
        QVERIFY2(cmp.err.contains("warning: #1 and #2 are not the same configuration ("), cmp.err.constData());
        auto same = ternbench({"compare", "1", "1", "--db", db});
        QVERIFY2(!same.err.contains("not the same configuration"), same.err.constData());
        // A failed run (missing model: stored as failed, exit 3).
        QCOMPARE(ternbench({"run", "-w", "tg", "-m", dir_.filePath("absent.gguf"), "--db", db}).code, 3);
        auto failed = ternbench({"compare", "1", "3", "--db", db});
        QCOMPARE(failed.code, 1);
        QVERIFY2(failed.err.contains("failed") && failed.err.contains("nothing to compare"), failed.err.constData());
        QVERIFY(failed.out.isEmpty());
    }

    // Regression: a dropped table was "ok" to `db check`.
    void db_check_checks_the_schema() {
        const QString db = dir_.filePath("schema.sqlite");
        QCOMPARE(ternbench({"import", fixture("llama-bench/llamacpp-tiny-tq2_0.json"), "--db", db}).code, 0);
        QCOMPARE(ternbench({"db", "check", "--db", db}).code, 0);
        {
            SQLite::Database raw(db.toStdString(), SQLite::OPEN_READWRITE);
            raw.exec("DROP TABLE sample_series");
        }
        auto check = ternbench({"db", "check", "--db", db});
        QCOMPARE(check.code, 4);
        QVERIFY2(check.err.contains("table sample_series is missing"), check.err.constData());
        // And a run refuses it before measuring anything.
        auto run = ternbench({"run", "--db", db, "--preset", "tiny", "-w", "tg", "-n", "4", "--reps", "1"});
        QCOMPARE(run.code, 4);
        QVERIFY2(!run.err.contains("repetition"), run.err.constData());
    }

    // SIGINT / SIGTERM in each phase: exit 130 and the run stored as cancelled. Phases that
    // cannot stop midway (making the demo model, loading, one long prefill) are ended by the
    // grace watchdog, which stores the run as cancelled itself.
    void signal_ends_every_phase_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QByteArray>("phase");
        QTest::addColumn<int>("sig");
        QTest::addColumn<bool>("fresh_cache");
        const QStringList tiny = {"--preset", "tiny", "-t", "1"};
        QTest::newRow("making demo model, SIGINT") << QStringList{"-w", "tg", "--preset", "small", "-n", "4", "--reps", "1"}
                                                   << QByteArray("preparing demo model") << SIGINT << true;
        // A long run after the load: the cached small model loads in ~10 ms, so a short run
        // could finish (exit 0) before the signal lands.
        QTest::newRow("loading, SIGTERM") << QStringList{"-w", "tg", "--preset", "small", "-n", "2000", "--reps", "100000", "--warmup", "0"}
                                          << QByteArray("loading model") << SIGTERM << false;
        QTest::newRow("warm-up, SIGINT") << (QStringList{"-w", "single", "--warmup", "10000", "--reps", "1", "--max-tokens", "16"} + tiny)
                                         << QByteArray("warmup") << SIGINT << false;
        QTest::newRow("decode, SIGTERM") << (QStringList{"-w", "tg", "-n", "2000", "--reps", "100000", "--warmup", "0"} + tiny)
                                         << QByteArray("repetition") << SIGTERM << false;
        QTest::newRow("prefill, SIGINT") << (QStringList{"-w", "pp", "-p", "2000", "--reps", "100000", "--warmup", "0"} + tiny)
                                         << QByteArray("repetition") << SIGINT << false;
        QTest::newRow("batch, SIGTERM") << (QStringList{"-w", "batch", "-c", "32", "--max-tokens", "64", "--reps", "100000", "--warmup", "0"} + tiny)
                                        << QByteArray("repetition") << SIGTERM << false;
        QTest::newRow("server, SIGINT") << (QStringList{"-w", "server", "--rate", "20", "--duration", "600", "--reps", "1", "--warmup", "0", "--max-tokens", "8"} + tiny)
                                        << QByteArray("arrivals") << SIGINT << false;
    }
    void signal_ends_every_phase() {
        QFETCH(QStringList, args);
        QFETCH(QByteArray, phase);
        QFETCH(int, sig);
        QFETCH(bool, fresh_cache);
        auto env = QProcessEnvironment::systemEnvironment();
        static int n = 0;
        const QString db = dir_.filePath(QString("signal-%1.sqlite").arg(++n));
        const QString cache = dir_.filePath("signal-cache");
        if (fresh_cache) QDir(cache).removeRecursively();
        env.insert("TERNBENCH_CACHE_DIR", cache);
        auto r = signal_in_phase(QStringList{"run", "--db", db} + args, phase, sig, env);
        QVERIFY2(r.code == 130, (QString("exit %1 after %2 s; stderr: ").arg(r.code).arg(r.seconds) + r.err).toUtf8().constData());
        QVERIFY2(r.seconds < 60, "ending took longer than any orderly stop");
        QCOMPARE(last_status(db), std::string("cancelled"));
    }

    // Regression: Ctrl-C during `baseline run` was ignored until --timeout (then "timed out",
    // exit 1); the program's own child survived.
    void baseline_child_is_cancelled_with_its_group() {
        const QString db = dir_.filePath("baseline-cancel.sqlite");
        const QString pid_file = dir_.filePath("hang.pids");
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("TB_PID_FILE", pid_file);
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(TB_TERNBENCH_EXE, {"baseline", "run", "--llama-bench", helper("hang-with-child.sh"), "-m",
                                   fixture("tiny-tq2_0.gguf"), "-p", "16", "-n", "8", "-t", "1", "--timeout", "3600",
                                   "--db", db});
        QVERIFY(p.waitForStarted());
        const auto pids = pids_from(pid_file);
        QCOMPARE(pids.size(), size_t(2));
        ::kill(static_cast<pid_t>(p.processId()), SIGINT);
        QVERIFY2(p.waitForFinished(120000), "baseline run ignored SIGINT");
        QCOMPARE(p.exitCode(), 130);
        for (pid_t pid : pids) QVERIFY2(gone_within(pid, 30), "the program or its child outlived the cancel");
        QCOMPARE(last_status(db), std::string("cancelled"));
    }

    // Regression: a grandchild that detached (setsid) and kept stderr open stopped --timeout 3
    // from ending the run.
    void detached_grandchild_does_not_stop_the_timeout() {
        const QString db = dir_.filePath("baseline-detach.sqlite");
        const QString pid_file = dir_.filePath("detach.pids");
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("TB_PID_FILE", pid_file);
        auto r = ternbench({"baseline", "run", "--llama-bench", helper("detach.sh"), "-m", fixture("tiny-tq2_0.gguf"),
                            "-p", "16", "-n", "8", "-t", "1", "--timeout", "10", "--db", db},
                           env);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("timed out"), r.err.constData());
        QVERIFY2(r.seconds < 120, "the timeout waited for the detached grandchild");
        const auto pids = pids_from(pid_file, 30);  // written before the timeout ended the run
        QCOMPARE(pids.size(), size_t(1));
        QVERIFY2(gone_within(pids[0], 30), "the detached grandchild outlived the run");
        QCOMPARE(last_status(db), std::string("failed"));
    }

    // Regression: after kill -9 of ternbench the program and its children kept running and no
    // row was written.
    void killed_ternbench_takes_its_children_and_leaves_an_interrupted_run() {
        const QString db = dir_.filePath("baseline-killed.sqlite");
        const QString pid_file = dir_.filePath("killed.pids");
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("TB_PID_FILE", pid_file);
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(TB_TERNBENCH_EXE, {"baseline", "run", "--llama-bench", helper("hang-with-child.sh"), "-m",
                                   fixture("tiny-tq2_0.gguf"), "-p", "16", "-n", "8", "-t", "1", "--db", db});
        QVERIFY(p.waitForStarted());
        const auto pids = pids_from(pid_file);
        QCOMPARE(pids.size(), size_t(2));
        p.kill();   // SIGKILL: nothing runs in ternbench afterwards
        p.waitForFinished();
        for (pid_t pid : pids) QVERIFY2(gone_within(pid, 30), "a child outlived the killed ternbench");
        QCOMPARE(last_status(db), std::string("interrupted"));
    }

    // Regression: results for other parameters than asked were stored without a word.
    void baseline_checks_the_parameters_it_ran() {
        const QString db = dir_.filePath("baseline-params.sqlite");
        auto r = ternbench({"baseline", "run", "--llama-bench", helper("fake-llama-bench.sh"), "-m",
                            fixture("tiny-tq2_0.gguf"), "-p", "16", "-n", "8", "-t", "2", "--db", db});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("did not run the parameters asked for") && r.err.contains("pp16 t2"), r.err.constData());
        QCOMPARE(last_status(db), std::string("failed"));
    }
};

QTEST_APPLESS_MAIN(TestCliReliability)
#include "test_cli_reliability.moc"
