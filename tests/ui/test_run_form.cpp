// The Run page's form holds every run parameter the command line has (KV type, context size,
// prompts file, SLOs, sweep lists, a 64-bit seed) and round-trips them through specs(); its
// kernel, type and arch choices come from the engine; bad text in a field is named.
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "app/core/engine_options.h"
#include "engine/demo/demo_model.h"
#include "tests/ui/ui_test_support.h"
#include "ui/app/main_window.h"
#include "ui/pages/run_page.h"

using namespace tbui;

namespace {
QStringList items(const QComboBox* c) {
    QStringList out;
    for (int i = 0; i < c->count(); ++i) out << c->itemText(i);
    return out;
}
QStringList qlist(const std::vector<std::string>& v) {
    QStringList out;
    for (const auto& s : v) out << QString::fromStdString(s);
    return out;
}
}  // namespace

class TestRunForm : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        tbtest::isolate_settings(dir_.filePath("settings"));
    }

    void every_cli_parameter_round_trips() {
        MainWindow window(dir_.filePath("form.sqlite"));
        RunPage* page = window.run_page();
        const QString prompts = dir_.filePath("prompts.txt");
        {
            QFile f(prompts);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("Hello\nWorld\n");
        }
        bench::BenchmarkSpec want;
        want.kernel = "scalar";
        want.threads = 2;
        want.kv_type = bench::KvType::F32;
        want.n_ctx = 1536;
        want.repetitions = 7;
        want.warmup = 2;
        want.concurrency = 3;
        want.max_tokens = 17;
        want.prompts_file = prompts.toStdString();
        want.temperature = 0.25f;
        want.top_p = 0.5f;
        want.top_k = 9;
        want.seed = (uint64_t{1} << 63) + 5;   // beyond int: kept whole
        want.n_prompt = 64;
        want.n_gen = 16;
        want.arrival_rate = 3.5;
        want.duration_s = 12;
        want.slo_ttft_ms = 1500;
        want.slo_tpot_ms = 150;
        want.sweep_threads = {1, 2};
        want.sweep_concurrency = {1, 2, 4};
        page->set_demo_model("tiny");
        page->set_workloads({"scaling"});
        page->set_spec_values(want);
        QVERIFY2(page->validation_errors().isEmpty(), qPrintable(page->validation_errors()));
        const auto specs = page->specs();
        QCOMPARE(specs.size(), size_t(1));
        bench::BenchmarkSpec got = specs.front();
        // Fields the parameter form does not own come from the model and workload choosers.
        want.workload = got.workload;
        want.demo_preset = got.demo_preset;
        want.sampler_interval_ms = got.sampler_interval_ms;
        QCOMPARE(QString::fromStdString(got.to_json().dump()), QString::fromStdString(want.to_json().dump()));
    }

    void choices_come_from_the_engine() {
        MainWindow window(dir_.filePath("choices.sqlite"));
        RunPage* page = window.run_page();
        QCOMPARE(items(page->findChild<QComboBox*>("kernelCombo")), qlist(bench::kernel_choices()));
        QCOMPARE(items(page->findChild<QComboBox*>("demoTypeCombo")), qlist(tern::demo_types()));
        QCOMPARE(items(page->findChild<QComboBox*>("demoArchCombo")), qlist(tern::demo_archs()));
        // --preset keeps the chosen type and arch.
        page->set_demo_model("small", "tq1_0", "bitnet");
        page->set_demo_preset("tiny");
        const auto spec = page->specs().front();
        QCOMPARE(QString::fromStdString(spec.demo_preset), QString("tiny"));
        QCOMPARE(QString::fromStdString(spec.demo_type), QString("tq1_0"));
        QCOMPARE(QString::fromStdString(spec.demo_arch), QString("bitnet"));
    }

    void bad_fields_are_named() {
        MainWindow window(dir_.filePath("bad.sqlite"));
        RunPage* page = window.run_page();
        page->set_demo_model("tiny");
        page->set_workloads({"scaling"});
        page->findChild<QLineEdit*>("seedEdit")->setText("99999999999999999999");   // > 2^64 - 1
        QVERIFY(page->validation_errors().contains("Seed"));
        page->findChild<QLineEdit*>("seedEdit")->setText("18446744073709551615");
        QVERIFY2(page->validation_errors().isEmpty(), qPrintable(page->validation_errors()));
        QCOMPARE(page->specs().front().seed, UINT64_MAX);
        page->findChild<QLineEdit*>("sweepThreadsEdit")->setText("1,two");
        QVERIFY(page->validation_errors().contains("thread counts"));
        page->findChild<QLineEdit*>("sweepThreadsEdit")->setText("1, 2");
        page->findChild<QLineEdit*>("sweepConcurrencyEdit")->setText("0");
        QVERIFY(page->validation_errors().contains("sweep-concurrency"));   // the spec's own check
        page->findChild<QLineEdit*>("sweepConcurrencyEdit")->clear();
        page->findChild<QLineEdit*>("promptsFileEdit")->setText(dir_.filePath("missing.txt"));
        QVERIFY(page->validation_errors().contains("Prompts file not found"));
    }
};

QTEST_MAIN(TestRunForm)
#include "test_run_form.moc"
