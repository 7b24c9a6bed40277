// Baselines page "Run baseline now": enabled only with a program and a model; a llama-bench
// stand-in stores its runs; a hanging program is killed at the timeout with a clear message in
// the banner and a stored failed run; the window never blocks meanwhile; on a low window the
// page scrolls.
#include <algorithm>

#include <QFile>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "db/run_store.h"
#include "tests/ui/ui_test_support.h"
#include "ui/app/app_settings.h"
#include "ui/app/main_window.h"
#include "ui/models/implementations_model.h"
#include "ui/pages/baselines_page.h"

using namespace tbui;

namespace {
QString helper(const char* name) { return QStringLiteral(TB_TEST_HELPER_DIR "/") + name; }
QString model() { return QStringLiteral(TB_FIXTURES_DIR "/tiny-tq2_0.gguf"); }
}  // namespace

class TestBaselinesPage : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        tbtest::isolate_settings(dir_.filePath("settings"));
    }

    void buttonNeedsProgramAndModel() {
        MainWindow window(dir_.filePath("enable.sqlite"));
        BaselinesPage* page = window.baselines_page();
        page->set_programs({});
        page->set_baseline_model(model());
        QVERIFY(!page->run_baseline_button()->isEnabled());
        page->set_programs({helper("fake-llama-bench.sh")});
        QVERIFY(page->run_baseline_button()->isEnabled());
        page->set_baseline_model("");
        QVERIFY(!page->run_baseline_button()->isEnabled());
    }

    // The page needs about 900 px of window height: on a lower window it scrolls instead of
    // squeezing its boxes or forcing the window taller.
    void lowWindowScrolls() {
        MainWindow window(dir_.filePath("low.sqlite"));
        window.resize(1280, 700);
        window.show();
        window.show_page(MainWindow::BaselinesPageIndex);
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.height(), 700);
        auto* scroll = window.baselines_page()->findChild<QScrollArea*>("baselinesScroll");
        QVERIFY(scroll && scroll->widgetResizable());
        QWidget* content = scroll->widget();
        QTRY_VERIFY(scroll->verticalScrollBar()->maximum() > 0);
        QVERIFY(content->height() >= content->minimumSizeHint().height());
        QVERIFY(content->height() > scroll->viewport()->height());
    }

    // The same file imported twice through the page: the second time reports its runs as
    // already stored (the import use case shared with `ternbench import`), no failure, and the
    // store keeps exactly the first import's runs. A bad file beside it fails alone.
    void importingTwiceReportsAlreadyStored() {
        const QString db = dir_.filePath("import.sqlite");
        const QString file = QStringLiteral(TB_FIXTURES_DIR "/llama-bench/llamacpp-tiny-tq2_0.json");
        MainWindow window(db);
        BaselinesPage* page = window.baselines_page();
        QSignalSpy done(page, &BaselinesPage::importFinished);
        page->import_files({file});
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 30000);
        const int first = page->last_import_totals().imported;
        QVERIFY2(first > 0, qPrintable(page->last_import_summary()));
        QCOMPARE(page->last_import_totals().already_stored, 0);
        QVERIFY(window.banner_text().isEmpty());

        const QString bad = dir_.filePath("not-results.json");
        {
            QFile f(bad);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("{\"hello\": 1}");
        }
        page->import_files({file, bad});
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 2, 30000);
        QCOMPARE(done.at(1).at(0).toInt(), 0);
        QCOMPARE(page->last_import_totals().imported, 0);
        QCOMPARE(page->last_import_totals().already_stored, first);
        QCOMPARE(page->last_import_totals().failed_files, 1);
        QVERIFY2(page->last_import_summary().contains(QString("%1 already stored").arg(first)),
                 qPrintable(page->last_import_summary()));
        QVERIFY(page->last_import_summary().contains("not-results.json: not imported"));
        QVERIFY(!window.banner_text().isEmpty());   // the bad file is reported, the good one is not

        tbdb::RunStore store(db.toStdString());
        QCOMPARE(static_cast<int>(store.list_runs().size()), first);
    }

    // Issue "legacy implementations are told apart": files of three programs imported, the page
    // lists each implementation on its own row with its build and how it was told apart.
    void listsEveryImplementationFound() {
        const QString db = dir_.filePath("implementations.sqlite");
        MainWindow window(db);
        BaselinesPage* page = window.baselines_page();
        QSignalSpy done(page, &BaselinesPage::importFinished);
        page->import_files({QStringLiteral(TB_FIXTURES_DIR "/llama-bench/llamacpp-tiny-tq2_0.json"),
                            QStringLiteral(TB_FIXTURES_DIR "/llama-bench/bitnetcpp-tiny-i2_s.json"),
                            QStringLiteral(TB_FIXTURES_DIR "/llama-bench/ik_llama-1b3-iq2_bn.json")});
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 30000);
        auto* model = page->implementations_model();
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 3, 10000);
        QStringList names;
        for (int r = 0; r < model->rowCount(); ++r) {
            names << model->index(r, ImplementationsModel::Implementation).data().toString();
            QVERIFY(model->index(r, ImplementationsModel::Runs).data().toInt() > 0);
            QVERIFY2(!model->index(r, ImplementationsModel::ToldBy).data().toString().isEmpty(), qPrintable(names.last()));
            QVERIFY(model->index(r, ImplementationsModel::Programs).data().toString().startsWith("imported "));
        }
        names.sort();
        QCOMPARE(names, QStringList({"bitnet.cpp", "ik_llama.cpp", "llama.cpp"}));
        const auto& found = model->found();
        const auto ik = std::find_if(found.begin(), found.end(), [](const auto& f) { return f.implementation == "ik_llama.cpp"; });
        QVERIFY(ik != found.end());
        QVERIFY(!ik->builds.empty());
        QVERIFY(std::find(ik->builds.begin(), ik->builds.end(), "8337e4cd3") != ik->builds.end());
    }

    void runStoresTheBaselineRuns() {
        const QString db = dir_.filePath("run.sqlite");
        MainWindow window(db);
        BaselinesPage* page = window.baselines_page();
        page->set_programs({helper("fake-llama-bench.sh")});
        page->set_baseline_model(model());
        // The stand-in prints a recorded output of -p 64 -n 32 -t 1,2: ask for what it ran, since
        // a program's output for other parameters is refused.
        page->set_baseline_tokens(64, 32);
        AppSettings::set_default_threads(2);
        QSignalSpy done(page, &BaselinesPage::baselineFinished);
        QTest::mouseClick(page->run_baseline_button(), Qt::LeftButton);
        QVERIFY(page->baseline_running());
        QVERIFY(!page->run_baseline_button()->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 60000);
        QVERIFY2(done.at(0).at(0).toBool(), qPrintable(page->last_baseline_summary()));
        QVERIFY(page->last_baseline_summary().contains("run(s) stored"));
        QVERIFY(page->run_baseline_button()->isEnabled());
        tbdb::RunStore store(db.toStdString());
        const auto runs = store.list_runs();
        QVERIFY(!runs.empty());
        for (const auto& r : runs) QCOMPARE(QString::fromStdString(r.status), QStringLiteral("completed"));
    }

    void hangingProgramTimesOutWithAClearMessage() {
        const QString db = dir_.filePath("hang.sqlite");
        MainWindow window(db);
        BaselinesPage* page = window.baselines_page();
        page->set_programs({helper("hang.sh")});
        page->set_baseline_model(model());
        page->set_baseline_timeout_s(1);
        QSignalSpy done(page, &BaselinesPage::baselineFinished);
        page->run_baseline();
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 60000);
        QVERIFY(!done.at(0).at(0).toBool());
        QVERIFY2(window.banner_text().contains("Baseline failed"), qPrintable(window.banner_text()));
        QVERIFY2(window.banner_text().contains("hang.sh"), qPrintable(window.banner_text()));
        tbdb::RunStore store(db.toStdString());
        const auto runs = store.list_runs();
        QCOMPARE(runs.size(), size_t(1));
        QCOMPARE(QString::fromStdString(runs.front().status), QStringLiteral("failed"));
    }

    void missingModelIsNamed() {
        MainWindow window(dir_.filePath("missing.sqlite"));
        BaselinesPage* page = window.baselines_page();
        page->set_programs({helper("fake-llama-bench.sh")});
        page->set_baseline_model(dir_.filePath("no-such-model.gguf"));
        QSignalSpy done(page, &BaselinesPage::baselineFinished);
        page->run_baseline();
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 60000);
        QVERIFY(!done.at(0).at(0).toBool());
        QVERIFY2(page->last_baseline_summary().contains("no-such-model.gguf"), qPrintable(page->last_baseline_summary()));
    }
};

QTEST_MAIN(TestBaselinesPage)
#include "test_baselines_page.moc"
