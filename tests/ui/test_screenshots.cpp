// Renders every page of the window over a store with a realistic, mixed history (several model
// files, workloads and implementations, a pinned baseline, one regression; tests/ui/
// mixed_history.h) and saves it as PNG. With
// TB_SCREENSHOT_DIR set (scripts/screenshots.sh) the files go there as <page><suffix>.png
// (TB_SCREENSHOT_SUFFIX, e.g. "@2x"), on a window of TB_SCREENSHOT_SIZE (default 1280x820);
// otherwise into a temporary folder, checked and removed.
#include <QImage>
#include <QTemporaryDir>
#include <QtTest>

#include "app/system/model_file.h"
#include "engine/demo/demo_model.h"
#include "engine/model/model.h"
#include "tests/ui/mixed_history.h"
#include "ui/app/app_context.h"
#include "ui/app/main_window.h"
#include "ui/charts/live_chart_view.h"
#include "ui/models/run_table_model.h"
#include "ui/pages/baselines_page.h"
#include "ui/pages/compare_page.h"
#include "ui/pages/server_baseline_box.h"
#include "ui/pages/history_page.h"
#include "ui/pages/run_form.h"
#include "ui/pages/run_page.h"

using namespace tbui;

class TestScreenshots : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString db_;
    int64_t compare_a_ = 0, compare_b_ = 0;

    static bool for_docs() { return !qgetenv("TB_SCREENSHOT_DIR").isEmpty(); }
    static int max_tokens() { return for_docs() ? 32 : 12; }
    // TB_SCREENSHOT_SIZE=WIDTHxHEIGHT checks the pages on a smaller window; the docs' are 1280x820.
    static QSize window_size() {
        const QStringList wh = QString::fromLocal8Bit(qgetenv("TB_SCREENSHOT_SIZE")).split('x');
        if (wh.size() == 2 && wh[0].toInt() > 0 && wh[1].toInt() > 0) return {wh[0].toInt(), wh[1].toInt()};
        return {1280, 820};
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        tbtest::isolate_settings(dir_.filePath("settings"));
        db_ = dir_.filePath("history.sqlite");
        tbdb::RunStore store(db_.toStdString());
        // The demo model of the live run below (the `small` one for the saved screenshots, the
        // tiny one in the suite): its history runs name the same file, so the live run joins
        // their configuration.
        tern::DemoSpec demo_spec;
        demo_spec.preset = for_docs() ? "small" : "tiny";
        const std::string demo_path = tern::ensure_demo_model(demo_spec);
        const auto info = tern::Model::inspect(demo_path);
        const tbtest::ModelFile demo{demo_path, bench::sys::file_sha256(demo_path), info.ternary_type, info.n_params};
        const QDateTime t0 = QDateTime::currentDateTimeUtc().addDays(-21);
        std::vector<tbdb::RunRecord> runs = tbtest::mixed_history(demo, max_tokens(), t0);
        store.insert_runs(runs);
        // Compare: the newest stream run of bitnet.cpp's llama-server (over HTTP) and the
        // engine's, same demo file and spec: latency CDFs of a legacy server beside the engine.
        for (const auto& r : runs) {
            if (r.workload != "stream" || r.model.path != demo_path) continue;
            if (r.implementation == "bitnet.cpp") compare_a_ = r.id;
            if (r.implementation == "ternbench/avx512") compare_b_ = r.id;
        }
        store.pin_implementation("llama.cpp");
    }

    void savesEveryPage() {
        const QByteArray env_dir = qgetenv("TB_SCREENSHOT_DIR");
        const QString out = env_dir.isEmpty() ? dir_.filePath("shots") : QString::fromLocal8Bit(env_dir);
        QVERIFY(QDir().mkpath(out));
        const QString suffix = QString::fromLocal8Bit(qgetenv("TB_SCREENSHOT_SUFFIX"));

        MainWindow window(db_);
        window.resize(window_size());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        HistoryPage* history = window.history_page();
        QTRY_VERIFY_WITH_TIMEOUT(history->model()->rowCount() > 0 && !history->loading(), 20000);

        // Run page after a short real run (live charts, streamed text, log): for the saved
        // screenshots the `small` demo model the history is about; in the test suite the tiny
        // one (fast, no large model to generate).
        RunPage* run = window.run_page();
        run->form()->set_demo_model(for_docs() ? "small" : "tiny");
        run->form()->set_workloads({"single", "stream"});
        bench::BenchmarkSpec spec;
        spec.threads = 2;
        spec.repetitions = 1;
        spec.warmup = 0;
        spec.max_tokens = max_tokens();
        run->form()->set_spec_values(spec);
        run->start();
        QTRY_VERIFY_WITH_TIMEOUT(!run->running(), 300000);

        // Baselines page as configured in real use (paths are only shown, not run).
        window.baselines_page()->set_programs({"/opt/llama.cpp/build/bin/llama-bench", "/opt/BitNet/build/bin/llama-bench"});
        window.baselines_page()->set_baseline_model("/models/bitnet_b1_58-large/ggml-model-i2_s.gguf");
        window.baselines_page()->server_baselines()->set_programs(
            {"/opt/llama.cpp/build/bin/llama-server", "/opt/BitNet/build/bin/llama-server"});
        window.baselines_page()->server_baselines()->set_model("/models/bitnet_b1_58-large/ggml-model-i2_s.gguf");

        emit window.context()->compareRequested({compare_a_, compare_b_});
        QTRY_VERIFY_WITH_TIMEOUT(!window.compare_page()->loading() && !window.compare_page()->runs().empty(), 20000);

        for (int p = 0; p < MainWindow::PageCount; ++p) {
            const auto page = static_cast<MainWindow::Page>(p);
            window.show_page(page);
            QTest::qWait(300);
            const QImage image = window.grab().toImage();
            QVERIFY(!image.isNull());
            const QString file = QStringLiteral("%1/%2%3.png").arg(out, MainWindow::page_name(page), suffix);
            QVERIFY2(image.save(file), qPrintable(file));
            QVERIFY(QFileInfo(file).size() > 10000);
            qInfo("saved %s (%dx%d)", qPrintable(file), image.width(), image.height());
        }
    }
};

QTEST_MAIN(TestScreenshots)
#include "test_screenshots.moc"
