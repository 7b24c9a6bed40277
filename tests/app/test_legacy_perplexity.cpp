// llama-perplexity's side: its logs parsed (the fixtures from upstream llama.cpp 3f545becc), the
// runner against fake programs (good, crashing, hanging, garbage, missing: each a stored run
// with a clear error), and `ternbench import` of a saved log.
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app/legacy/importer.h"
#include "app/legacy/llama_perplexity_parser.h"
#include "app/legacy/llama_perplexity_runner.h"
#include "db/run_store.h"
#include "helpers/executable_helper.h"

using namespace bench;

namespace {
std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
std::string fixture(const char* name) { return std::string(TB_FIXTURES_DIR) + "/perplexity/" + name; }
double metric(const tbdb::RunRecord& r, const char* name) {
    const auto* m = r.metric(name);
    return m && m->value ? *m->value : std::nan("");
}
}  // namespace

class TestLegacyPerplexity : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    std::string helper(const char* name) { return tbtest::executable_helper(dir_.path(), name); }
    LlamaPerplexityRunSpec spec(const std::string& program) {
        LlamaPerplexityRunSpec s;
        s.program = program;
        s.model_path = std::string(TB_FIXTURES_DIR) + "/tiny-tq2_0.gguf";
        s.text_file = fixture("text.txt");
        s.ctx = 128;
        s.chunks = 4;
        s.threads = 1;
        s.timeout_s = 30;  // healthy fakes answer at once; only the hang case waits for it (short)
        return s;
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        // The helper is copied to the temp dir: point it at the fixtures.
        qputenv("FAKE_PERPLEXITY_FIXTURES", QByteArray(TB_FIXTURES_DIR) + "/perplexity");
    }

    void parses_perplexity_log() {
        const auto r = parse_llama_perplexity(read_text(fixture("llama-perplexity-tiny-f32.log")), "log");
        QCOMPARE(r.running_ppl.size(), size_t(4));
        QCOMPARE(r.running_ppl[3], 122428.2153);
        QCOMPARE(*r.ppl, 122428.2153);
        QCOMPARE(*r.ppl_err, 26757.00406);
        QCOMPARE(*r.n_ctx, 128);
        QCOMPARE(*r.n_chunk, 4);
        QCOMPARE(*r.threads, 1);
        QVERIFY(!r.kl_mode);
        // Per-chunk PPL derived from the running values reproduces them.
        double sum_log = 0;
        for (int k = 0; k < 4; ++k) {
            sum_log += std::log(r.chunk_ppl[k]);
            QVERIFY(std::fabs(std::exp(sum_log / (k + 1)) / r.running_ppl[k] - 1) < 1e-12);
        }
        std::vector<tbdb::Metric> m;
        r.add_metrics(m);
        tbdb::RunRecord run;
        run.metrics = m;
        QCOMPARE(metric(run, "scored_tokens"), 252.0);
        QVERIFY(std::isnan(metric(run, "kld_mean")));   // not printed, not invented
    }

    void parses_kl_log() {
        const auto r = parse_llama_perplexity(read_text(fixture("llama-perplexity-kld-tiny-tq2_0.log")), "log");
        QVERIFY(r.kl_mode);
        QCOMPARE(*r.kld_mean, 0.007028);
        QCOMPARE(*r.kld_median, 0.006248);
        QCOMPARE(*r.kld_p99, 0.020841);
        QCOMPARE(*r.kld_max, 0.028489);
        QCOMPARE(*r.same_top_pct, 96.825);
        QCOMPARE(*r.dp_rms_pct, 0.064);
        QCOMPARE(*r.ppl, 125990.091884);
        QCOMPARE(*r.ppl_err, 27517.734664);
        QCOMPARE(*r.ppl_base, 111289.143794);
        QCOMPARE(*r.ppl_ratio, 1.132097);
        QCOMPARE(r.running_ppl.size(), size_t(4));   // from the per-chunk table
        QCOMPARE(r.running_ppl[0], 75723.9014);
        QCOMPARE(*r.n_ctx, 128);
    }

    void colour_codes_and_garbage() {
        const std::string coloured = "\x1b[32mFinal estimate: PPL = 12.5000 +/- 0.25000\x1b[0m\n";
        QCOMPARE(*parse_llama_perplexity(coloured, "log").ppl, 12.5);
        try {
            parse_llama_perplexity("main: error: you need at least 256 tokens to evaluate perplexity\n", "out");
            QFAIL("no exception");
        } catch (const LlamaPerplexityError& e) {
            QVERIFY2(std::string(e.what()).find("you need at least 256 tokens") != std::string::npos, e.what());
        }
        QVERIFY_THROWS_EXCEPTION(LlamaPerplexityError, parse_llama_perplexity("hello\n", "out"));
    }

    void arguments() {
        auto s = spec("x");
        std::vector<std::string> want = {"-m", s.model_path, "-c", "128", "-b", "128", "-t", "1",
                                         "-f", s.text_file, "--chunks", "4"};
        QCOMPARE(llama_perplexity_args(s), want);
        s.kl_base = "base.kld";
        want.insert(want.end(), {"--kl-divergence-base", "base.kld", "--kl-divergence"});
        QCOMPARE(llama_perplexity_args(s), want);
    }

    void fake_program_run_is_stored() {
        tbdb::RunStore store(dir_.filePath("ok.sqlite").toStdString());
        auto out = run_llama_perplexity(spec(helper("fake-llama-perplexity.sh")), store);
        QVERIFY2(out.ok(), out.error.c_str());
        const auto run = store.load_run(out.run.id);
        QVERIFY(run);
        QCOMPARE(run->workload, std::string("perplexity"));
        QCOMPARE(run->status, tbdb::RunStatus::Completed);
        QCOMPARE(run->implementation, std::string("llama.cpp"));   // a TQ2_0 file
        QCOMPARE(metric(*run, "ppl"), 122428.2153);
        QVERIFY(!run->model.sha256.empty());
        const auto cfg = nlohmann::json::parse(run->config_json);
        QCOMPARE(cfg["ppl_ctx"].get<int>(), 128);
        QVERIFY(cfg.contains("text_sha256"));
        bool has_chunks = false;
        for (const auto& sr : run->samples) has_chunks |= sr.name == "chunk_ppl" && sr.values.size() == 4;
        QVERIFY(has_chunks);

        auto kl = spec(helper("fake-llama-perplexity.sh"));
        kl.kl_base = fixture("base-tiny-f32.kld");
        out = run_llama_perplexity(kl, store);
        QVERIFY2(out.ok(), out.error.c_str());
        QCOMPARE(metric(out.run, "kld_mean"), 0.007028);
        QCOMPARE(metric(out.run, "same_top_pct"), 96.825);
    }

    void failures_are_stored_runs() {
        tbdb::RunStore store(dir_.filePath("bad.sqlite").toStdString());
        struct Case { const char* helper; const char* expect; };
        for (const Case c : {Case{"crash.sh", "SIGSEGV"}, Case{"hang.sh", "timed out"}, Case{"garbage.sh", "no perplexity result"}}) {
            auto s = spec(helper(c.helper));
            s.timeout_s = 2;
            auto out = run_llama_perplexity(s, store);
            QVERIFY(!out.ok());
            QVERIFY(!out.input_error);
            QVERIFY2(out.error.find(c.expect) != std::string::npos, out.error.c_str());
            const auto run = store.load_run(out.run.id);
            QVERIFY(run);
            QCOMPARE(run->status, tbdb::RunStatus::Failed);
            QCOMPARE(run->workload, std::string("perplexity"));
        }
        auto out = run_llama_perplexity(spec(dir_.filePath("no-such-program").toStdString()), store);
        QVERIFY(out.input_error);
        QVERIFY(out.error.find("not found") != std::string::npos);
        auto s = spec(helper("fake-llama-perplexity.sh"));
        s.text_file = dir_.filePath("missing.txt").toStdString();
        out = run_llama_perplexity(s, store);
        QVERIFY(out.input_error);
        QVERIFY2(out.error.find("text file not found") != std::string::npos, out.error.c_str());
        QCOMPARE(store.load_run(out.run.id)->status, tbdb::RunStatus::Failed);
    }

    void import_saved_log() {
        auto res = import_file(fixture("llama-perplexity-kld-tiny-tq2_0.log"));
        QCOMPARE(res.format, ImportFormat::LlamaPerplexityLog);
        QCOMPARE(res.runs.size(), size_t(1));
        QCOMPARE(res.runs[0].workload, std::string("perplexity"));
        QCOMPARE(metric(res.runs[0], "kld_mean"), 0.007028);
        // Same log, same uuid: importing twice is detectable.
        QCOMPARE(import_file(fixture("llama-perplexity-kld-tiny-tq2_0.log")).runs[0].uuid, res.runs[0].uuid);
        res = import_file(fixture("llama-perplexity-tiny-f32.log"));
        QCOMPARE(metric(res.runs[0], "ppl"), 122428.2153);
        QCOMPARE(res.runs[0].threads, 1);
    }
};

QTEST_GUILESS_MAIN(TestLegacyPerplexity)
#include "test_legacy_perplexity.moc"
