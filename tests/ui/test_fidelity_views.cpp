// Fidelity beside speed in the window, over a store with mixed content (speed runs of two
// implementations and perplexity runs of three, with KL divergence against an F16 base): the
// History page's PPL/KLD chart, the Compare page's fidelity rows next to the speed rows, and
// the Run page's perplexity options. Saves PNGs (TB_SCREENSHOT_DIR, else a temp folder).
#include <QImage>
#include <QLineEdit>
#include <QScrollArea>
#include <QTemporaryDir>
#include <QtTest>

#include "app/metrics/metric_builder.h"
#include "tests/ui/ui_test_support.h"
#include "ui/app/app_context.h"
#include "ui/app/main_window.h"
#include "ui/charts/history_chart_view.h"
#include "ui/models/compare_model.h"
#include "ui/models/run_table_model.h"
#include "ui/pages/compare_page.h"
#include "ui/pages/history_page.h"
#include "ui/pages/run_form.h"
#include "ui/pages/run_page.h"

using namespace tbui;

namespace {

// A perplexity run as the workload stores it (figures of the 1b3 demo shape's scale).
tbdb::RunRecord ppl_run(const std::string& impl, const QDateTime& started, double ppl, double kld, double same_top,
                        double tok_s) {
    tbdb::RunRecord run = tbtest::make_run("perplexity", impl, started, {}, {});
    run.samples.clear();
    run.metrics.clear();
    run.model.path = "/models/demo-1b3-bitnet-tq2_0.gguf";
    run.model.arch = "bitnet";
    run.model.ternary_type = "TQ2_0";
    run.config_json = R"({"workload":"perplexity","ppl_ctx":512,"n_chunk":8,"kl_base":"/models/base-1b3-f16.kld"})";
    std::vector<double> chunk_ppl, chunk_tok_s;
    for (int c = 0; c < 8; ++c) {
        chunk_ppl.push_back(ppl * (1.0 + 0.04 * ((c * 5) % 7 - 3) / 3.0));
        chunk_tok_s.push_back(tok_s * (1.0 + 0.02 * ((c * 3) % 5 - 2) / 2.0));
    }
    run.samples.push_back({"chunk_ppl", "", chunk_ppl});
    run.samples.push_back({"chunk_tok_s", "tok/s", chunk_tok_s});
    bench::metrics::MetricBuilder mb(run.metrics);
    mb.add("ppl", ppl, "", 2040);
    mb.add("ppl_err", ppl * 0.031, "", 2040);
    mb.add("tok_s", tok_s, "tok/s", 8);
    mb.add("kld_mean", kld, "nats", 2040);
    mb.add("kld_p99", kld * 4.1, "nats", 2040);
    mb.add("same_top_pct", same_top, "%", 2040);
    return run;
}

}  // namespace

class TestFidelityViews : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString db_;
    int64_t llama_ppl_ = 0, engine_ppl_ = 0;

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        tbtest::isolate_settings(dir_.filePath("settings"));
        db_ = dir_.filePath("fidelity.sqlite");
        tbdb::RunStore store(db_.toStdString());
        const QDateTime t0 = QDateTime::fromString("2026-11-10T09:00:00Z", Qt::ISODate);
        std::vector<tbdb::RunRecord> runs;
        for (int day = 0; day < 12; ++day) {
            runs.push_back(tbtest::make_run("single", "ternbench/avx512", t0.addDays(day), tbtest::around(38.0, 9),
                                            tbtest::around(2600.0, 20, 0.06)));
            runs.push_back(tbtest::make_run("single", "llama.cpp", t0.addDays(day).addSecs(1800),
                                            tbtest::around(21.0, 9), tbtest::around(4700.0, 20, 0.06)));
            if (day % 2 == 0) {
                const double drift = 1.0 + 0.002 * ((day * 3) % 5 - 2);
                runs.push_back(ppl_run("ternbench/avx512", t0.addDays(day).addSecs(3600), 2135.0 * drift, 0.0081, 96.1, 104.0));
                runs.push_back(ppl_run("ternbench/scalar", t0.addDays(day).addSecs(5400), 2135.0 * drift, 0.0081, 96.1, 9.6));
                runs.push_back(ppl_run("llama.cpp", t0.addDays(day).addSecs(7200), 2128.0 * drift, 0.0074, 96.6, 61.0));
            }
        }
        store.insert_runs(runs);
        for (const auto& r : runs) {
            if (r.workload != "perplexity") continue;
            if (r.implementation == "llama.cpp") llama_ppl_ = r.id;
            if (r.implementation == "ternbench/avx512") engine_ppl_ = r.id;
        }
        store.pin_implementation("llama.cpp");
    }

    void fidelity_beside_speed() {
        const QByteArray env_dir = qgetenv("TB_SCREENSHOT_DIR");
        const QString out = env_dir.isEmpty() ? dir_.filePath("shots") : QString::fromLocal8Bit(env_dir);
        QVERIFY(QDir().mkpath(out));
        MainWindow window(db_);
        window.resize(1280, 820);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        HistoryPage* history = window.history_page();
        QTRY_VERIFY_WITH_TIMEOUT(history->model()->rowCount() > 0 && !history->loading(), 20000);

        // History: every run listed; the charts show one configuration, the newest (single runs:
        // no fidelity chart). Choosing the perplexity configuration shows it beside the others.
        window.show_page(MainWindow::HistoryPageIndex);
        QTest::qWait(300);
        QVERIFY(!history->fidelity_chart()->isVisible());
        QString perplexity_config;
        for (const QString& key : history->chart_configurations())
            if (key.contains("perplexity")) perplexity_config = key;
        QVERIFY2(!perplexity_config.isEmpty(), qPrintable(history->chart_configurations().join(" | ")));
        history->set_chart_configuration(perplexity_config);
        QTRY_VERIFY_WITH_TIMEOUT(history->fidelity_chart()->isVisible(), 5000);
        QCOMPARE(history->fidelity_chart()->plotted_points(), 3 * 6 * 2);   // PPL and KLD per run
        QVERIFY(history->fidelity_chart()->plots_run(engine_ppl_));
        QVERIFY(window.grab().toImage().save(out + "/history-fidelity.png"));
        // Speed-only runs: no fidelity figures, so no fidelity chart.
        history->set_workload_filter("single");
        QTRY_VERIFY_WITH_TIMEOUT(!history->fidelity_chart()->isVisible(), 5000);
        history->set_workload_filter("perplexity");
        QTRY_VERIFY_WITH_TIMEOUT(history->fidelity_chart()->isVisible(), 5000);
        QTest::qWait(300);
        QVERIFY(window.grab().toImage().save(out + "/history-perplexity.png"));

        // Compare: the llama.cpp run and the engine's, fidelity rows next to the speed rows.
        emit window.context()->compareRequested({llama_ppl_, engine_ppl_});
        QTRY_VERIFY_WITH_TIMEOUT(!window.compare_page()->loading() && window.compare_page()->runs().size() == 2, 20000);
        window.show_page(MainWindow::ComparePageIndex);
        QTest::qWait(300);
        QStringList rows;
        auto* model = window.compare_page()->model();
        for (int r = 0; r < model->rowCount(); ++r) rows << model->index(r, 0).data().toString();
        for (const char* want : {"ppl", "kld_mean", "same_top_pct", "tok_s", "chunk_ppl (median)", "chunk_tok_s (median)"})
            QVERIFY2(rows.contains(want), qPrintable(rows.join(", ")));
        QVERIFY(window.grab().toImage().save(out + "/compare-fidelity.png"));

        // Run page with the perplexity workload checked and a base chosen.
        RunPage* run = window.run_page();
        run->form()->set_workloads({"perplexity"});
        bench::BenchmarkSpec spec;
        spec.ppl_ctx = 128;
        spec.kl_base = "/models/base-1b3-f16.kld";
        run->form()->set_spec_values(spec);
        QVERIFY(run->form()->validation_errors().contains("KL base file not found"));
        const auto specs = run->form()->specs();
        QCOMPARE(specs.size(), size_t(1));
        QCOMPARE(specs[0].ppl_ctx, 128);
        QCOMPARE(specs[0].kl_base, std::string("/models/base-1b3-f16.kld"));
        window.show_page(MainWindow::RunPageIndex);
        auto* box = run->findChild<QWidget*>("perplexityBox");
        QVERIFY(box);
        run->findChild<QScrollArea*>()->ensureWidgetVisible(box);
        QTest::qWait(300);
        QVERIFY(window.grab().toImage().save(out + "/run-perplexity.png"));
        qInfo("saved fidelity screenshots to %s", qPrintable(out));
    }
};

QTEST_MAIN(TestFidelityViews)
#include "test_fidelity_views.moc"
