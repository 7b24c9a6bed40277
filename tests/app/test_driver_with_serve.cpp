// The HTTP driver against the real server of this project (`ternbench serve`), not a recording:
// `run --endpoint` streams from it and stores TTFT/ITL like an in-process run, with the
// implementation told by serve's own answers; the `server` workload's arrivals run over it too.
// (Faults are the scripted servers' job: tests/app/test_http_driver.cpp.)
#include <signal.h>

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "db/run_store.h"

namespace {

const QString kModel = QStringLiteral(TB_FIXTURES_DIR "/tiny-tq2_0.gguf");

struct Result {
    int code = -1;
    QString out, err;
};

Result ternbench(const QStringList& args) {
    QProcess p;
    p.start(TB_TERNBENCH_EXE, args);
    Result r;
    if (!p.waitForFinished(600000)) return r;
    r.code = p.exitCode();
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

}  // namespace

class TestDriverWithServe : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QProcess serve_;
    QString url_;

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        serve_.start(TB_TERNBENCH_EXE, {"serve", "--model", kModel, "--port", "0", "-t", "1", "--parallel", "2"});
        QVERIFY(serve_.waitForStarted());
        QVERIFY(serve_.waitForReadyRead(120000));
        const QString line = QString::fromUtf8(serve_.readLine()).trimmed();
        const auto m = QRegularExpression("^ternbench serve: listening on (http://127\\.0\\.0\\.1:\\d+)$").match(line);
        QVERIFY2(m.hasMatch(), qPrintable(line));
        url_ = m.captured(1);
    }

    void stream_over_http_is_measured_like_in_process() {
        const QString db = dir_.filePath("stream.sqlite");
        const auto r = ternbench({"run", "--endpoint", url_, "-w", "stream", "--model", kModel, "--max-tokens", "6",
                                  "--ignore-eos", "-r", "2", "--warmup", "0", "-t", "1", "--db", db});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        tbdb::RunStore store(db.toStdString());
        const auto runs = store.list_runs();
        QCOMPARE(runs.size(), size_t(1));
        const auto run = store.load_run(runs.front().id);
        QVERIFY(run);
        QCOMPARE(run->status, tbdb::RunStatus::Completed);
        QVERIFY2(run->implementation.find("ternbench") != std::string::npos, run->implementation.c_str());
        for (const char* name : {"ttft_ms_p50", "e2e_ms_p50", "output_tok_s"}) {
            const auto* m = run->metric(name);
            QVERIFY2(m && m->value && *m->value > 0, name);
        }
        // Tokens that arrive in one socket read share a timestamp, so a gap can be 0 on a busy
        // machine (the tiny model makes a token every ~0.1 ms).
        const auto* itl = run->metric("itl_ms_p50");
        QVERIFY2(itl && itl->value && *itl->value >= 0, "itl_ms_p50");
        // Every request streamed the tokens asked for, each with its arrival time.
        QVERIFY(!run->requests.empty());
        for (const auto& req : run->requests) {
            QCOMPARE(req.output_tokens, 6);
            QCOMPARE(static_cast<int>(req.token_times_ms.size()), 6);
            for (size_t i = 1; i < req.token_times_ms.size(); ++i)
                QVERIFY(req.token_times_ms[i] >= req.token_times_ms[i - 1]);
        }
        const auto cfg = nlohmann::json::parse(run->config_json);
        QVERIFY2(cfg.contains("http"), run->config_json.c_str());
        QCOMPARE(QString::fromStdString(cfg["http"].value("endpoint", "")), url_);
    }

    void server_workload_over_http() {
        const QString db = dir_.filePath("server.sqlite");
        const auto r = ternbench({"run", "--endpoint", url_, "-w", "server", "--model", kModel, "--max-tokens", "4",
                                  "--rate", "4", "--duration", "1", "-c", "2", "-r", "1", "--warmup", "0", "-t", "1",
                                  "--db", db});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        tbdb::RunStore store(db.toStdString());
        const auto run = store.load_run(store.list_runs().front().id);
        QVERIFY(run);
        QCOMPARE(run->status, tbdb::RunStatus::Completed);
        const auto* goodput = run->metric("goodput_req_s");
        QVERIFY(goodput && goodput->value);
        QVERIFY(run->metric("ttft_ms_p50") && run->metric("ttft_ms_p50")->value);
    }

    void cleanupTestCase() {
        if (serve_.state() == QProcess::NotRunning) return;
        ::kill(static_cast<pid_t>(serve_.processId()), SIGTERM);
        QVERIFY(serve_.waitForFinished(120000));
        QCOMPARE(serve_.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestDriverWithServe)
#include "test_driver_with_serve.moc"
