// The Run page's form (RunForm) holds every run parameter the command line has (KV type,
// context size, prompts file, SLOs, sweep lists, a 64-bit seed) and round-trips them through
// specs(); its kernel, type and arch choices come from the engine; bad text in a field is
// named; the page's Start button follows the form's validity.
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "app/core/engine_options.h"
#include "engine/demo/demo_model.h"
#include "tests/ui/ui_test_support.h"
#include "ui/app/main_window.h"
#include "ui/pages/run_form.h"
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
        RunForm* form = window.run_page()->form();
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
        form->set_demo_model("tiny");
        form->set_workloads({"scaling"});
        form->set_spec_values(want);
        QVERIFY2(form->validation_errors().isEmpty(), qPrintable(form->validation_errors()));
        const auto specs = form->specs();
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
        RunForm* form = window.run_page()->form();
        QCOMPARE(items(form->findChild<QComboBox*>("kernelCombo")), qlist(bench::kernel_choices()));
        QCOMPARE(items(form->findChild<QComboBox*>("demoTypeCombo")), qlist(tern::demo_types()));
        QCOMPARE(items(form->findChild<QComboBox*>("demoArchCombo")), qlist(tern::demo_archs()));
        // --preset keeps the chosen type and arch.
        form->set_demo_model("small", "tq1_0", "bitnet");
        form->set_demo_preset("tiny");
        const auto spec = form->specs().front();
        QCOMPARE(QString::fromStdString(spec.demo_preset), QString("tiny"));
        QCOMPARE(QString::fromStdString(spec.demo_type), QString("tq1_0"));
        QCOMPARE(QString::fromStdString(spec.demo_arch), QString("bitnet"));
    }

    void bad_fields_are_named() {
        MainWindow window(dir_.filePath("bad.sqlite"));
        RunForm* form = window.run_page()->form();
        form->set_demo_model("tiny");
        form->set_workloads({"scaling"});
        form->findChild<QLineEdit*>("seedEdit")->setText("99999999999999999999");   // > 2^64 - 1
        QVERIFY(form->validation_errors().contains("Seed"));
        form->findChild<QLineEdit*>("seedEdit")->setText("18446744073709551615");
        QVERIFY2(form->validation_errors().isEmpty(), qPrintable(form->validation_errors()));
        QCOMPARE(form->specs().front().seed, UINT64_MAX);
        form->findChild<QLineEdit*>("sweepThreadsEdit")->setText("1,two");
        QVERIFY(form->validation_errors().contains("thread counts"));
        form->findChild<QLineEdit*>("sweepThreadsEdit")->setText("1, 2");
        form->findChild<QLineEdit*>("sweepConcurrencyEdit")->setText("0");
        QVERIFY(form->validation_errors().contains("sweep-concurrency"));   // the spec's own check
        form->findChild<QLineEdit*>("sweepConcurrencyEdit")->clear();
        form->findChild<QLineEdit*>("promptsFileEdit")->setText(dir_.filePath("missing.txt"));
        QVERIFY(form->validation_errors().contains("Prompts file not found"));
    }

    // The form shows its problems and says whether it is valid after every change; the page's
    // Start button follows it.
    void start_follows_the_form() {
        MainWindow window(dir_.filePath("valid.sqlite"));
        RunPage* page = window.run_page();
        RunForm* form = page->form();
        auto* start = page->findChild<QPushButton*>("startButton");
        QVERIFY(start);
        form->set_demo_model("tiny");
        form->set_workloads({"single"});
        QVERIFY(form->valid());
        QVERIFY(start->isEnabled());
        QSignalSpy validated(form, &RunForm::validated);
        form->set_workloads({});
        QVERIFY(!validated.isEmpty());
        QCOMPARE(validated.last().at(0).toBool(), false);
        QVERIFY(!form->valid());
        QVERIFY(!start->isEnabled());
        QVERIFY(form->validate().contains("Check at least one workload"));
        form->set_workloads({"single"});
        QCOMPARE(validated.last().at(0).toBool(), true);
        QVERIFY(start->isEnabled());
    }
};

QTEST_MAIN(TestRunForm)
#include "test_run_form.moc"
