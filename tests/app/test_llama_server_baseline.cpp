// `baseline run --llama-server`: the launcher against stand-in programs -- a fake llama-server
// serving recorded responses over real HTTP (happy path, a crash mid-run, one that ignores
// SIGTERM) and shell scripts that are missing, not executable, exit at start, never become
// ready or lack flags. Every failure is a stored failed run naming the problem, and no server
// process is left behind.
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <signal.h>

#include <fstream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <nlohmann/json.hpp>

#include "app/legacy/llama_server_baseline.h"
#include "db/run_store.h"

using namespace bench;

class TestLlamaServerBaseline : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    int n_ = 0;

    std::string helper(const char* name, bool executable = true) {
        const QString dst = dir_.filePath(QString(executable ? "x-" : "nx-") + name);
        if (!QFile::exists(dst)) {
            QFile::copy(QString(TB_TEST_HELPER_DIR) + "/" + name, dst);
            auto perms = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
            if (executable) perms |= QFileDevice::ExeOwner;
            QFile::setPermissions(dst, perms);
        }
        return dst.toStdString();
    }
    LlamaServerRunSpec spec(const std::string& program, const std::string& workload = "stream") {
        LlamaServerRunSpec s;
        s.program = program;
        s.spec.workload = workload;
        s.spec.model_path = std::string(TB_FIXTURES_DIR) + "/tiny-tq2_0.gguf";
        s.spec.repetitions = 2;
        s.spec.warmup = 0;
        s.spec.max_tokens = 6;
        s.spec.prompts = {"Hello world", "The quick brown fox"};
        s.spec.threads = 2;
        s.spec.request_timeout_s = 10;
        s.health_timeout_s = 20;
        s.stop_grace_s = 0.5;
        return s;
    }
    std::string pidfile() { return dir_.filePath(QString("pid%1").arg(n_)).toStdString(); }
    static pid_t read_pid(const std::string& path) {
        std::ifstream f(path);
        pid_t p = 0;
        f >> p;
        return p;
    }
    static bool alive(pid_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno != ESRCH); }
    // Runs and checks the outcome is the stored run.
    LlamaServerRunOutcome run(const LlamaServerRunSpec& s) {
        tbdb::RunStore store(dir_.filePath(QString("b%1.sqlite").arg(n_++)).toStdString());
        auto out = run_llama_server_baseline(s, store);
        const auto stored = store.load_run(out.run.id);
        if (!stored || stored->status != out.run.status || stored->error != out.run.error) qFatal("run not stored as returned");
        out.run = *stored;
        return out;
    }

private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void flags_from_help_and_arguments() {
        const auto f = server_flags_from_help("-t, --threads N\n-c,    --ctx-size N\n-np, --parallel N\n--host H\n--port P\n");
        QVERIFY(f.threads && f.ctx_size && f.parallel && f.host && f.port);
        QVERIFY(!f.no_webui && !f.cache_type);
        QVERIFY(f.missing_required(true, false).empty());
        const auto old = server_flags_from_help("-t N\n--host H\n--port P\n-cb, --cont-batching\n");
        const auto missing = old.missing_required(true, true);
        QCOMPARE(missing, (std::vector<std::string>{"-c/--ctx-size", "-np/--parallel", "-ctk/--cache-type-k"}));
        BenchmarkSpec s;
        s.model_path = "m.gguf";
        const auto a = llama_server_args(s, f, 2, 4, 8192, 5555);
        const std::vector<std::string> want = {"-m", "m.gguf", "-t", "2", "-c", "8192", "--host", "127.0.0.1",
                                               "--port", "5555", "-np", "4"};
        QCOMPARE(a, want);
        s.workload = "batch";
        s.concurrency = 3;
        QCOMPARE(server_slots_for(s), 3);
        s.workload = "stream";
        QCOMPARE(server_slots_for(s), 1);
    }

    void happy_path_against_a_fake_server() {
        qputenv("FAKE_SERVER_MODE", "ok");
        const auto pf = pidfile();
        qputenv("FAKE_SERVER_PIDFILE", pf.c_str());
        auto s = spec(TB_FAKE_LLAMA_SERVER);
        s.extra_args = {"--fake-switch", "1"};   // after `--` on the command line
        const auto out = run(s);
        QVERIFY2(out.error.empty(), out.error.c_str());
        QCOMPARE(out.run.status, tbdb::RunStatus::Completed);
        QCOMPARE(out.run.requests.size(), size_t(4));
        QCOMPARE(out.run.implementation, std::string("llama.cpp"));
        QCOMPARE(out.run.impl_version, std::string("b10587-3f545becc"));
        QVERIFY(out.run.source.rfind("baseline:", 0) == 0);
        const auto config = nlohmann::json::parse(out.run.config_json);
        const std::string cmd = config["server"]["command_line"].get<std::string>();
        QVERIFY2(cmd.find("-np 1") != std::string::npos && cmd.find("--no-webui") != std::string::npos, cmd.c_str());
        QVERIFY(cmd.find("--host 127.0.0.1") != std::string::npos);
        QVERIFY2(cmd.find("--fake-switch 1") != std::string::npos, cmd.c_str());
        QCOMPARE(config["extra_args"], nlohmann::json::parse(R"(["--fake-switch","1"])"));
        // Told by the one detection rule from /props build_info (a known upstream build).
        const std::string why = config["server"]["implementation_detected_by"].get<std::string>();
        QVERIFY2(why.find("3f545becc") != std::string::npos, why.c_str());
        QVERIFY(config["server"]["output_tail"].get<std::string>().find("fake llama-server listening") != std::string::npos);
        QVERIFY(config["server"]["version_output"].get<std::string>().find("4242") != std::string::npos);
        QVERIFY(out.run.metric("ttft_ms_p50") && out.run.metric("itl_ms_p50"));
        QVERIFY(!alive(read_pid(pf)));  // stopped and reaped
    }

    void sigterm_ignored_is_escalated_to_sigkill() {
        qputenv("FAKE_SERVER_MODE", "ignore-term");
        const auto pf = pidfile();
        qputenv("FAKE_SERVER_PIDFILE", pf.c_str());
        auto s = spec(TB_FAKE_LLAMA_SERVER, "single");
        s.spec.repetitions = 1;
        const auto out = run(s);
        QVERIFY2(out.error.empty(), out.error.c_str());
        QVERIFY(read_pid(pf) > 0);
        QVERIFY(!alive(read_pid(pf)));
    }

    void crash_mid_run_is_stored_failed_with_what_was_measured() {
        qputenv("FAKE_SERVER_MODE", "crash");
        const auto pf = pidfile();
        qputenv("FAKE_SERVER_PIDFILE", pf.c_str());
        const auto out = run(spec(TB_FAKE_LLAMA_SERVER));
        QCOMPARE(out.run.status, tbdb::RunStatus::Failed);
        QVERIFY2(QString::fromStdString(out.error).contains("killed by signal 9"), out.error.c_str());
        QCOMPARE(out.run.requests.size(), size_t(1));  // the request before the crash
        QVERIFY(out.run.metric("ttft_ms_p50"));
        const auto config = nlohmann::json::parse(out.run.config_json);
        QVERIFY(config["server"]["output_tail"].get<std::string>().find("GGML_ASSERT") != std::string::npos);
        QVERIFY(!alive(read_pid(pf)));
    }

    void program_missing() {
        const auto out = run(spec(dir_.filePath("no-such-llama-server").toStdString()));
        QCOMPARE(out.run.status, tbdb::RunStatus::Failed);
        QVERIFY(out.input_error);
        QVERIFY2(QString::fromStdString(out.error).contains("not found or not executable"), out.error.c_str());
        QVERIFY(QString::fromStdString(out.error).contains("no-such-llama-server"));
    }

    void program_not_executable() {
        const auto out = run(spec(helper("fake-llama-server-exits.sh", /*executable=*/false)));
        QCOMPARE(out.run.status, tbdb::RunStatus::Failed);
        QVERIFY2(QString::fromStdString(out.error).contains("not executable"), out.error.c_str());
    }

    void program_exits_at_start() {
        const auto out = run(spec(helper("fake-llama-server-exits.sh")));
        QCOMPARE(out.run.status, tbdb::RunStatus::Failed);
        QVERIFY2(QString::fromStdString(out.error).contains("exited with status 1"), out.error.c_str());
        QVERIFY(QString::fromStdString(out.error).contains("wrong shape"));
        const auto config = nlohmann::json::parse(out.run.config_json);
        QVERIFY(config["server"]["output_tail"].get<std::string>().find("wrong shape") != std::string::npos);
    }

    void never_ready_times_out_and_leaves_no_process() {
        const auto pf = pidfile();
        qputenv("FAKE_SERVER_PIDFILE", pf.c_str());
        auto s = spec(helper("fake-llama-server-hangs.sh"));
        s.health_timeout_s = 5;  // long enough for the fake to start and write its pid on a busy machine
        const auto out = run(s);
        QCOMPARE(out.run.status, tbdb::RunStatus::Failed);
        QVERIFY2(QString::fromStdString(out.error).contains("not ready within 5 s"), out.error.c_str());
        const pid_t pid = read_pid(pf);
        QVERIFY(pid > 0);
        QVERIFY(!alive(pid));
        // Its `sleep` child went with the group (a killed orphan may stay a zombie until init
        // reaps it: a generous bound, not a timing check).
        QTRY_VERIFY_WITH_TIMEOUT(::kill(-pid, 0) != 0 && errno == ESRCH, 20000);
    }

    void port_in_use() {
        boost::asio::io_context io;
        boost::asio::ip::tcp::acceptor taken(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
        auto s = spec(TB_FAKE_LLAMA_SERVER);
        s.port = taken.local_endpoint().port();
        const auto out = run(s);
        QCOMPARE(out.run.status, tbdb::RunStatus::Failed);
        QVERIFY2(QString::fromStdString(out.error).contains("is in use"), out.error.c_str());
    }

    void old_server_lacking_flags_is_refused_by_name() {
        auto s = spec(helper("fake-llama-server-old.sh"), "batch");
        s.spec.concurrency = 2;
        const auto out = run(s);
        QCOMPARE(out.run.status, tbdb::RunStatus::Failed);
        QVERIFY2(QString::fromStdString(out.error).contains("-np/--parallel"), out.error.c_str());
    }
};

QTEST_GUILESS_MAIN(TestLlamaServerBaseline)
#include "test_llama_server_baseline.moc"
