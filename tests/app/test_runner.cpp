// Runner::run in-process: a run goes through the store with observer callbacks; a failure of
// the run (bad model) is a stored failed run, bad flags (unknown kernel, bad spec) a failed run
// that is not stored; never an exception.
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <map>

#include <atomic>
#include <fstream>

#include "app/core/runner.h"
#include "db/run_store.h"

#include <nlohmann/json.hpp>

using namespace bench;

namespace {
struct CountingObserver : RunObserver {
    std::atomic<int> started{0}, progress{0}, finished{0}, requests{0};
    int64_t id = 0;
    void on_started(int64_t run_id, const tbdb::RunRecord&) override { ++started; id = run_id; }
    void on_progress(int64_t, const Progress&) override { ++progress; }
    void on_request_done(int64_t, const tbdb::RequestRecord&) override { ++requests; }
    void on_finished(int64_t, const tbdb::RunRecord&) override { ++finished; }
};
}  // namespace

class TestRunner : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    BenchmarkSpec tiny(const std::string& workload) {
        BenchmarkSpec s;
        s.workload = workload;
        s.demo_preset = "tiny";
        s.repetitions = 2;
        s.warmup = 0;
        s.max_tokens = 3;
        s.n_prompt = 8;
        s.n_gen = 3;
        s.threads = 1;
        return s;
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        if (qgetenv("TERNBENCH_CACHE_DIR").isEmpty()) qputenv("TERNBENCH_CACHE_DIR", dir_.filePath("cache").toUtf8());
    }

    void completed_run_with_callbacks() {
        tbdb::RunStore store(dir_.filePath("a.sqlite").toStdString());
        Runner runner(store);
        CountingObserver obs;
        auto run = runner.run(tiny("single"), &obs);
        QCOMPARE(run.status, tbdb::RunStatus::Completed);
        QCOMPARE(obs.started.load(), 1);
        QCOMPARE(obs.finished.load(), 1);
        QVERIFY(obs.progress.load() > 0);
        QCOMPARE(obs.requests.load(), 10);  // 5 default prompts x 2 repetitions
        auto stored = store.load_run(run.id);
        QVERIFY(stored.has_value());
        QCOMPARE(stored->requests.size(), size_t(10));
        QVERIFY(!stored->resources.empty());
        QVERIFY(stored->metric("e2e_ms_p50") && stored->metric("e2e_ms_p50")->value);
        // What the rest of the machine took meanwhile (a figure, not a verdict: tests share it).
        // This run is short enough to end within one /proc/stat tick; then both are stored as
        // missing with the reason, never left out or made up.
        for (const char* name : {"cpu_other_pct", "cpu_steal_pct"}) {
            const auto* m = stored->metric(name);
            QVERIFY2(m, name);
            if (m->value) QVERIFY2(*m->value >= 0 && *m->value <= 100, name);
            else QVERIFY2(m->note.find("clock tick") != std::string::npos, name);
        }
        QVERIFY(!stored->model.sha256.empty());
        QVERIFY(!stored->host.cpu_model.empty());
        QCOMPARE(BenchmarkSpec::from_json(nlohmann::json::parse(stored->config_json)).workload, std::string("single"));
    }

    void kv_type_in_spec() {
        // Default F16 (as llama-bench), stored with the run's spec; specs stored before the
        // option existed read back as F32, which is what they ran with; nonsense is refused
        // where the name is parsed.
        BenchmarkSpec spec;
        QCOMPARE(spec.kv_type, KvType::F16);
        QCOMPARE(spec.to_json().at("kv_type").get<std::string>(), std::string("f16"));
        QCOMPARE(BenchmarkSpec::from_json(spec.to_json()).kv_type, KvType::F16);
        nlohmann::json old = spec.to_json();
        old.erase("kv_type");
        QCOMPARE(BenchmarkSpec::from_json(old).kv_type, KvType::F32);
        QVERIFY(!kv_type_from_name("q8"));
        QCOMPARE(kv_type_from_name("f32"), std::optional<KvType>(KvType::F32));
        nlohmann::json bad = spec.to_json();
        bad["kv_type"] = "q8";
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, BenchmarkSpec::from_json(bad));
        spec.kv_type = KvType::F32;
        QVERIFY(spec.validate().empty());
    }

    void pp_keeps_every_sample() {
        tbdb::RunStore store(dir_.filePath("b.sqlite").toStdString());
        auto run = Runner(store).run(tiny("pp"));
        QCOMPARE(run.status, tbdb::RunStatus::Completed);
        auto stored = store.load_run(run.id);
        bool found = false;
        for (const auto& s : stored->samples)
            if (s.name == "tok_s") { found = true; QCOMPARE(s.values.size(), size_t(2)); }
        QVERIFY(found);
        QVERIFY(stored->metric("tok_s_stddev") && stored->metric("prefill_tok_s"));
    }

    // tg measures its own memory roof: the model's weights streamed before each repetition.
    void tg_reports_its_memory_roof() {
        tbdb::RunStore store(dir_.filePath("roof.sqlite").toStdString());
        auto spec = tiny("tg");
        spec.repetitions = 3;
        auto run = Runner(store).run(spec);
        QCOMPARE(run.status, tbdb::RunStatus::Completed);
        auto stored = store.load_run(run.id);
        std::map<std::string, std::vector<double>> series;
        for (const auto& s : stored->samples) series[s.name] = s.values;
        QCOMPARE(series["weights_read_gbs"].size(), size_t(3));
        QCOMPARE(series["decode_weight_gbs"].size(), size_t(3));
        // decode GB/s = weight bytes per token x that repetition's tok/s.
        const auto* decode = stored->metric("decode_weight_gbs");
        QVERIFY(decode && decode->value && decode->note.find(" MB") != std::string::npos);
        for (size_t i = 0; i < 3; ++i) {
            QVERIFY(series["weights_read_gbs"][i] > 0);
            const double per_token = series["decode_weight_gbs"][i] / series["tok_s"][i];
            QVERIFY(std::abs(per_token / (series["decode_weight_gbs"][0] / series["tok_s"][0]) - 1) < 1e-9);
        }
        // The share is a percentage, or missing with both figures when the roof read low.
        const auto* pct = stored->metric("decode_roof_pct");
        QVERIFY(pct);
        if (pct->value) {
            QVERIFY(*pct->value > 0 && *pct->value <= 100);
        } else {
            QVERIFY2(pct->note.find("not a share") != std::string::npos, pct->note.c_str());
        }
        // pp reads its weights once per batch, not per token: no such figure.
        auto pp = store.load_run(Runner(store).run(tiny("pp")).id);
        QVERIFY(!pp->metric("decode_roof_pct"));
    }

    void failures_are_stored_failed_runs() {
        tbdb::RunStore store(dir_.filePath("c.sqlite").toStdString());
        Runner runner(store);
        auto missing = tiny("single");
        missing.model_path = dir_.filePath("absent.gguf").toStdString();
        auto r1 = runner.run(missing);
        QCOMPARE(r1.status, tbdb::RunStatus::Failed);
        QVERIFY(r1.error.find("absent.gguf") != std::string::npos);

        const std::string garbage = dir_.filePath("garbage.gguf").toStdString();
        { std::ofstream(garbage) << "not a gguf file at all"; }
        auto bad = tiny("pp");
        bad.model_path = garbage;
        auto r2 = runner.run(bad);
        QCOMPARE(r2.status, tbdb::RunStatus::Failed);
        QVERIFY(!r2.error.empty());

        // Bad flags (issue 11): refused before anything is stored -- an unknown kernel used to
        // add a failed run and an implementation "ternbench/no-such-kernel" to the store.
        auto kernel = tiny("tg");
        kernel.kernel = "no-such-kernel";
        const auto r3 = runner.run(kernel);
        QCOMPARE(r3.status, tbdb::RunStatus::Failed);
        QCOMPARE(r3.id, int64_t(0));
        QVERIFY(r3.error.find("no-such-kernel") != std::string::npos);

        auto spec = tiny("single");
        spec.repetitions = 0;
        const auto r4 = runner.run(spec);
        QCOMPARE(r4.status, tbdb::RunStatus::Failed);
        QCOMPARE(r4.id, int64_t(0));

        QCOMPARE(store.count_runs(), int64_t(2));
        for (const auto& s : store.list_runs()) QCOMPARE(s.status, std::string("failed"));
    }

    void cancel_before_start_is_cancelled() {
        tbdb::RunStore store(dir_.filePath("d.sqlite").toStdString());
        std::atomic<bool> cancel{true};
        auto run = Runner(store).run(tiny("single"), nullptr, &cancel);
        QCOMPARE(run.status, tbdb::RunStatus::Cancelled);
        QCOMPARE(store.load_run(run.id)->status, tbdb::RunStatus::Cancelled);
    }
};

QTEST_APPLESS_MAIN(TestRunner)
#include "test_runner.moc"
