// End to end: the real `ternbench` binary on the tiny demo preset with a temporary database.
// Each workload runs briefly; the --json shape, stored rows, exports, exit codes and the
// engine tools are checked. No timing thresholds.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

class TestCli : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString db_;

    struct Result {
        int code = -1;
        QByteArray out, err;
    };
    Result ternbench(const QStringList& args, int timeout_ms = 300000) {
        QProcess p;
        p.start(TB_TERNBENCH_EXE, args);
        Result r;
        if (!p.waitForStarted()) return r;
        p.waitForFinished(timeout_ms);
        r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        return r;
    }
    static nlohmann::json parse(const QByteArray& text) {
        return nlohmann::json::parse(text.toStdString(), nullptr, false);
    }
    QString fixture(const char* name) { return QString(TB_FIXTURES_DIR) + "/" + name; }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        db_ = dir_.filePath("runs.sqlite");
    }

    void version_and_help() {
        auto v = ternbench({"--version"});
        QCOMPARE(v.code, 0);
        QVERIFY(v.out.contains("commit"));
        QVERIFY(v.out.contains("auto kernel"));
        auto h = ternbench({"--help"});
        QCOMPARE(h.code, 0);
        for (const char* sub : {"run", "list", "show", "compare", "export", "import", "baseline", "db", "tokenize", "logits"})
            QVERIFY2(h.out.contains(sub), sub);
        QVERIFY(h.out.contains("physical cores"));
        QVERIFY(!h.out.contains("__load-probe"));  // hidden
    }

    void workloads_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("metric");
        const QStringList gen = {"--reps", "2", "--warmup", "0", "--max-tokens", "4"};
        QTest::newRow("single") << (QStringList{"--workload", "single"} + gen) << "e2e_ms_p50";
        QTest::newRow("stream") << (QStringList{"--workload", "stream"} + gen) << "itl_ms_p50";
        QTest::newRow("batch") << (QStringList{"--workload", "batch", "--concurrency", "2"} + gen) << "output_tok_s";
        QTest::newRow("server") << QStringList{"--workload", "server", "--rate", "20", "--duration", "0.5",
                                               "--reps", "1", "--warmup", "0", "--max-tokens", "4"}
                                << "goodput_req_s";
        QTest::newRow("load") << QStringList{"--workload", "load", "--reps", "1", "--warmup", "0"} << "load_ms_cold";
        QTest::newRow("scaling") << QStringList{"--workload", "scaling", "--sweep-threads", "1",
                                                "--sweep-concurrency", "1,2", "--reps", "1", "--warmup", "0",
                                                "--max-tokens", "4"}
                                 << "tok_s_t1_c2";
        QTest::newRow("pp") << QStringList{"--workload", "pp", "-p", "16", "--reps", "2", "--warmup", "0"} << "tok_s";
        QTest::newRow("tg") << QStringList{"--workload", "tg", "-n", "4", "--reps", "2", "--warmup", "0"} << "decode_tok_s";
        QTest::newRow("kernel") << QStringList{"--workload", "kernel", "--reps", "1", "--warmup", "0",
                                               "--threads", "1"}
                                << "read_bandwidth_gbs";
    }
    void workloads() {
        QFETCH(QStringList, args);
        QFETCH(QString, metric);
        auto r = ternbench(QStringList{"run", "--preset", "tiny", "--db", db_, "--json"} + args);
        QVERIFY2(r.code == 0, r.err.constData());
        auto j = parse(r.out);
        QVERIFY2(j.is_object() && j.contains("runs"), r.out.constData());
        const auto& run = j["runs"].at(0);
        for (const char* key : {"id", "uuid", "workload", "implementation", "kernel", "status", "threads", "model", "metrics"})
            QVERIFY2(run.contains(key), key);
        QCOMPARE(QString::fromStdString(run["workload"].get<std::string>()), args.at(1));
        QCOMPARE(run["status"].get<std::string>(), std::string("completed"));
        QVERIFY(run["implementation"].get<std::string>().rfind("ternbench/", 0) == 0);
        QCOMPARE(run["model"]["sha256"].get<std::string>().size(), size_t(64));
        const auto& m = run["metrics"];
        QVERIFY2(m.contains(metric.toStdString()), metric.toUtf8().constData());
        QVERIFY(m[metric.toStdString()]["value"].is_number());
        QVERIFY(m.contains("peak_rss_mb"));
        // Stored: `show` reads it back.
        auto show = ternbench({"show", QString::number(run["id"].get<int64_t>()), "--db", db_, "--json"});
        QCOMPARE(show.code, 0);
        QCOMPARE(parse(show.out)["runs"][0]["uuid"], run["uuid"]);
    }

    void list_compare_export() {
        auto l = ternbench({"list", "--db", db_, "--json"});
        QCOMPARE(l.code, 0);
        auto j = parse(l.out);
        QVERIFY(j["runs"].size() >= 9);
        auto c = ternbench({"compare", "1", "2", "--db", db_});
        QCOMPARE(c.code, 0);
        QVERIFY(!c.out.isEmpty());
        const QString md = dir_.filePath("report.md"), csv = dir_.filePath("report.csv");
        auto e1 = ternbench({"export", "--format", "md", "--last", "3", "--db", db_, "--out", md});
        QVERIFY2(e1.code == 0, e1.err.constData());
        QFile f(md);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().contains("#"));
        auto e2 = ternbench({"export", "--format", "csv", "--workload", "pp", "--db", db_, "--out", csv});
        QVERIFY2(e2.code == 0, e2.err.constData());
        QFile g(csv);
        QVERIFY(g.open(QIODevice::ReadOnly));
        QVERIFY(g.readAll().contains("tok_s"));
        auto chk = ternbench({"db", "check", "--db", db_});
        QCOMPARE(chk.code, 0);
    }

    void bad_flags_exit_2() {
        auto r = ternbench({"run", "--no-such-flag", "--db", db_});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("help") || r.err.contains("Usage"));
        auto w = ternbench({"run", "--workload", "nope", "--db", db_});
        QCOMPARE(w.code, 2);
        auto t = ternbench({"run", "--threads", "-3", "--db", db_});
        QCOMPARE(t.code, 2);
        auto n = ternbench({"no-such-command"});
        QCOMPARE(n.code, 2);
    }

    // Regression: CLI11's range checks printed "not in range 0.000000 to 1.79...e308" and called
    // a non-number "out of range"; the message must say what is wrong in words.
    void bad_numbers_explained() {
        auto t = ternbench({"run", "--threads", "-3", "--db", db_});
        QCOMPARE(t.code, 2);
        QVERIFY2(t.err.contains("must be >= 0, got -3"), t.err.constData());
        QVERIFY(!t.err.contains("179769"));
        auto p = ternbench({"run", "-w", "pp", "-p", "abc", "--db", db_});
        QCOMPARE(p.code, 2);
        QVERIFY2(p.err.contains("expects an integer, got 'abc'"), p.err.constData());
        auto r = ternbench({"run", "--reps", "0", "--db", db_});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("must be >= 1"), r.err.constData());
        auto big = ternbench({"run", "-w", "tg", "-n", "99999999999", "--db", db_});
        QCOMPARE(big.code, 2);
        QVERIFY2(big.err.contains("too large"), big.err.constData());
    }

    // Regression: an empty prompts file was a failed run (exit 1), not an input error (exit 3).
    void empty_prompts_file_exit_3() {
        const QString empty = dir_.filePath("empty-prompts.txt");
        QFile f(empty);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        auto r = ternbench({"run", "-w", "single", "--preset", "tiny", "--prompts-file", empty, "--db", db_});
        QCOMPARE(r.code, 3);
        QVERIFY2(r.err.contains("holds no prompts"), r.err.constData());
    }

    // Regression: -n / --max-tokens beyond the context decoded for minutes and then stopped at
    // "context full"; then -p / -n beyond any context was a failed run (exit 1). A size that no
    // context can hold is bad usage (exit 2), refused before a model is made or loaded, with the
    // limit named; a size that fits the limit but not the model's prompt is still a failed run.
    void beyond_context_refused_at_once() {
        const QString db = dir_.filePath("beyond-context.sqlite");
        auto pp = ternbench({"run", "--workload", "pp", "-p", "100000000", "--preset", "tiny", "--reps", "1",
                             "--warmup", "0", "--db", db});
        QCOMPARE(pp.code, 2);
        QVERIFY2(pp.err.contains("100000000") && pp.err.contains("4096"), pp.err.constData());
        QVERIFY2(!pp.err.contains("preparing demo model") && !pp.err.contains("loading"), pp.err.constData());
        QVERIFY2(!QFile::exists(db), "a usage error must not create the database");
        auto tg = ternbench({"run", "-w", "tg", "-n", "100000000", "--preset", "tiny", "--reps", "1",
                             "--warmup", "0", "--db", db, "--json"});
        QCOMPARE(tg.code, 2);
        QVERIFY2(tg.err.contains("100000000") && tg.err.contains("4096"), tg.err.constData());
        // An explicit --n-ctx is the limit then.
        auto ctx = ternbench({"run", "-w", "pp", "-p", "64", "--n-ctx", "32", "--preset", "tiny", "--reps", "1",
                              "--warmup", "0", "--db", db});
        QCOMPARE(ctx.code, 2);
        QVERIFY2(ctx.err.contains("32"), ctx.err.constData());
        auto single = ternbench({"run", "-w", "single", "--max-tokens", "100000000", "--preset", "tiny",
                                 "--reps", "1", "--warmup", "0", "--db", db});
        QCOMPARE(single.code, 2);
        QVERIFY2(single.err.contains("100000000") && single.err.contains("4096"), single.err.constData());
        // Fits the limit but not with the prompt: found when the prompts are tokenized.
        auto near = ternbench({"run", "-w", "single", "--max-tokens", "4095", "--preset", "tiny",
                               "--reps", "1", "--warmup", "0", "--db", db, "--json"});
        QCOMPARE(near.code, 1);
        QVERIFY2(near.err.contains("do not fit the context"), near.err.constData());
        QCOMPARE(parse(near.out)["runs"][0]["status"].get<std::string>(), std::string("failed"));
    }

    // Regression: an output path in a missing folder was "bad usage" (exit 2) with a message
    // about a temporary file; it is an input problem (exit 3) naming the path.
    void demo_model_unwritable_path_exit_3() {
        const QString out = dir_.filePath("no/such/dir/x.gguf");
        auto r = ternbench({"demo-model", "--preset", "tiny", "--out", out});
        QCOMPARE(r.code, 3);
        QVERIFY2(r.err.contains(out.toUtf8()), r.err.constData());
        QVERIFY2(!r.err.contains(".tmp"), r.err.constData());
        auto dir = ternbench({"demo-model", "--preset", "tiny", "--out", dir_.path()});
        QCOMPARE(dir.code, 3);
        QVERIFY2(dir.err.contains(dir_.path().toUtf8()), dir.err.constData());
        // A bad preset stays a usage error.
        auto bad = ternbench({"demo-model", "--preset", "nope", "--out", dir_.filePath("x.gguf")});
        QCOMPARE(bad.code, 2);
        auto ok = ternbench({"demo-model", "--preset", "tiny", "--out", dir_.filePath("ok.gguf")});
        QVERIFY2(ok.code == 0, ok.err.constData());
        QVERIFY(QFile::exists(dir_.filePath("ok.gguf")));
    }

    // Regression: importing a file twice failed with "UNIQUE constraint failed: runs.uuid"
    // (exit 4), and a llama-bench printing the same output twice could not be stored again.
    void repeated_import_and_baseline_run() {
        const QString db = dir_.filePath("repeat.sqlite");
        const QString file = fixture("llama-bench/llamacpp-tiny-tq2_0.json");
        auto first = ternbench({"import", file, "--db", db});
        QVERIFY2(first.code == 0, first.err.constData());
        auto again = ternbench({"import", file, "--db", db});
        QVERIFY2(again.code == 0, again.err.constData());
        QVERIFY2(again.out.contains("imported 0 run(s)") && again.out.contains("already stored"),
                 again.out.constData());
        const QString fake = QString(TB_TEST_HELPER_DIR) + "/fake-llama-bench.sh";
        for (int i = 0; i < 2; ++i) {
            // The parameters the fake's output holds (issue 11: other ones fail the run).
            auto b = ternbench({"baseline", "run", "--llama-bench", fake, "--model", fixture("tiny-tq2_0.gguf"),
                                "-p", "64", "-n", "32", "-t", "1", "--db", db, "--json"});
            QVERIFY2(b.code == 0, b.err.constData());
        }
        auto list = parse(ternbench({"list", "--db", db, "--json"}).out);
        // The import once (4 tests), then two measured runs of the 2 tests asked (t1).
        QCOMPARE(list["runs"].size(), size_t(4 + 2 * 2));
        auto check = ternbench({"db", "check", "--db", db});
        QCOMPARE(check.code, 0);
    }

    // Regression: `ternbench --db X list` ignored X and read (and created) the default database.
    void db_before_subcommand_is_used() {
        const QString db = dir_.filePath("top-level.sqlite");
        auto imp = ternbench({"--db", db, "import", fixture("llama-bench/llamacpp-tiny-tq2_0.json")});
        QVERIFY2(imp.code == 0, imp.err.constData());
        QVERIFY(QFile::exists(db));
        auto list = parse(ternbench({"--db", db, "list", "--json"}).out);
        QVERIFY(!list["runs"].empty());
        // A subcommand's own --db still wins.
        auto other = parse(ternbench({"--db", db, "list", "--json", "--db", dir_.filePath("other.sqlite")}).out);
        QVERIFY(other["runs"].empty());
    }

    void missing_model_exit_3_and_failed_run() {
        const QString missing = dir_.filePath("absent/model.gguf");
        auto r = ternbench({"run", "--workload", "pp", "--model", missing, "--db", db_, "--json"});
        QCOMPARE(r.code, 3);
        QVERIFY(r.err.contains(missing.toUtf8()));
        auto j = parse(r.out);
        QCOMPARE(j["runs"][0]["status"].get<std::string>(), std::string("failed"));
    }

    void engine_tools() {
        auto info = ternbench({"model", "info", fixture("tiny-tq2_0.gguf"), "--json"});
        QCOMPARE(info.code, 0);
        auto ij = parse(info.out);
        QCOMPARE(ij["arch"].get<std::string>(), std::string("bitnet"));
        QCOMPARE(ij["hparams"]["n_vocab"].get<int>(), 512);
        auto tok = ternbench({"tokenize", "--model", fixture("tiny-tq2_0.gguf"), "--text", "Hello world", "--json"});
        QCOMPARE(tok.code, 0);
        auto tj = parse(tok.out);
        QVERIFY(tj["ids"].is_array() && !tj["ids"].empty());
        auto lg = ternbench({"logits", "--model", fixture("tiny-tq2_0.gguf"), "--tokens", "1 2 3", "--all-positions", "--json"});
        QCOMPARE(lg.code, 0);
        auto lj = parse(lg.out);
        QCOMPARE(lj["n_vocab"].get<int>(), 512);
        QCOMPARE(lj["positions"].size(), size_t(3));
        QCOMPARE(lj["logits"][2].size(), size_t(512));
        auto last = parse(ternbench({"logits", "--model", fixture("tiny-tq2_0.gguf"), "--tokens", "1 2 3", "--json"}).out);
        QCOMPARE(last["positions"], nlohmann::json::array({2}));
        QCOMPARE(last["logits"][0], lj["logits"][2]);  // same position, same numbers
        // Without --json: the highest logits of the last position as text, led by the argmax.
        auto text = ternbench({"logits", "--model", fixture("tiny-tq2_0.gguf"), "--tokens", "1 2 3"});
        QCOMPARE(text.code, 0);
        QVERIFY(parse(text.out).is_discarded());
        QVERIFY2(text.out.contains("position 2 (token 3): top 5"), text.out.constData());
        const auto& row = last["logits"][0];
        int argmax = 0;
        for (int i = 1; i < int(row.size()); ++i)
            if (row[i].get<float>() > row[argmax].get<float>()) argmax = i;
        const QList<QByteArray> lines = text.out.split('\n');
        QVERIFY(lines.size() > 2);
        QCOMPARE(lines[2].trimmed().split(' ').first().toInt(), argmax);
        auto miss = ternbench({"model", "info", dir_.filePath("nope.gguf")});
        QCOMPARE(miss.code, 3);
        auto gen = ternbench({"generate", "--model", fixture("tiny-tq2_0.gguf"), "--prompt", "Hi", "-n", "4"});
        QCOMPARE(gen.code, 0);
        QVERIFY(gen.err.contains("decode"));
    }

    // SIGKILL in the middle of a run: the database stays sound and the run reads `interrupted`.
    void killed_run_is_interrupted() {
        const QString crash_db = dir_.filePath("crash.sqlite");
        QProcess p;
        p.start(TB_TERNBENCH_EXE, {"run", "--preset", "tiny", "--workload", "single", "--reps", "100000",
                                   "--warmup", "0", "--max-tokens", "8", "--db", crash_db});
        QVERIFY(p.waitForStarted());
        // Wait until the run row exists (the progress printer announces it), then a little more.
        QByteArray err;
        for (int i = 0; i < 600 && !err.contains("run #"); ++i) {
            p.waitForReadyRead(100);
            err += p.readAllStandardError();
        }
        QVERIFY2(err.contains("run #"), err.constData());
        QTest::qWait(500);
        p.kill();  // SIGKILL
        p.waitForFinished();
        auto chk = ternbench({"db", "check", "--db", crash_db});
        QVERIFY2(chk.code == 0, chk.err.constData());
        auto l = parse(ternbench({"list", "--db", crash_db, "--json"}).out);
        QCOMPARE(l["runs"].size(), size_t(1));
        QCOMPARE(l["runs"][0]["status"].get<std::string>(), std::string("interrupted"));
    }
};

QTEST_APPLESS_MAIN(TestCli)
#include "test_cli.moc"
