// Drives the Run page like a user: the tiny demo model, the `single` workload with a few
// tokens, Start, wait; the run must reach History and its charts. Also: Cancel keeps what was
// measured, and the event loop's worst gap during a `batch` run is measured and reported.
#include <QElapsedTimer>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include "tests/ui/ui_test_support.h"
#include "ui/app/main_window.h"
#include "ui/charts/history_chart_view.h"
#include "ui/charts/live_chart_view.h"
#include "ui/models/run_table_model.h"
#include "ui/pages/history_page.h"
#include "ui/pages/run_form.h"
#include "ui/pages/run_page.h"

using namespace tbui;

namespace {
bench::BenchmarkSpec small_spec(int max_tokens, int repetitions) {
    bench::BenchmarkSpec s;
    s.threads = 1;
    s.repetitions = repetitions;
    s.warmup = 0;
    s.max_tokens = max_tokens;
    s.concurrency = 4;
    return s;
}
}  // namespace

class TestRunPage : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        tbtest::isolate_settings(dir_.filePath("settings"));
    }

    void singleRunReachesHistory() {
        MainWindow window(dir_.filePath("run.sqlite"));
        window.resize(1280, 860);
        window.show();
        RunPage* page = window.run_page();
        page->form()->set_demo_model("tiny");
        page->form()->set_workloads({"single"});
        page->form()->set_spec_values(small_spec(6, 1));
        QVERIFY2(page->form()->validation_errors().isEmpty(), qPrintable(page->form()->validation_errors()));
        auto* start = page->findChild<QPushButton*>("startButton");
        QVERIFY(start && start->isEnabled());
        QTest::mouseClick(start, Qt::LeftButton);
        QVERIFY(page->running());
        QTRY_VERIFY_WITH_TIMEOUT(!page->running(), 300000);
        const qint64 id = page->last_run_id();
        QVERIFY2(id > 0, qPrintable(page->log_text()));
        QVERIFY2(window.banner_text().isEmpty(), qPrintable(window.banner_text()));
        QVERIFY(page->latency_chart()->point_count() > 0);
        // Live tok/s: ticks, or (for a run shorter than one tick) the run's measured average.
        QVERIFY(page->throughput_chart()->point_count() > 0);
        QVERIFY2(!page->streamed_text().isEmpty(), "no streamed text after a `single` run");

        HistoryPage* history = window.history_page();
        QTRY_VERIFY_WITH_TIMEOUT(history->model()->row_of_run(id) >= 0, 20000);
        const auto& row = history->model()->row_at(history->model()->row_of_run(id));
        QCOMPARE(QString::fromStdString(row.run.status), QStringLiteral("completed"));
        QTRY_VERIFY(history->latency_chart()->plots_run(id) || history->throughput_chart()->plots_run(id));
    }

    void streamRunShowsTextAndThroughput() {
        MainWindow window(dir_.filePath("stream.sqlite"));
        window.show();
        RunPage* page = window.run_page();
        page->form()->set_demo_model("tiny");
        page->form()->set_workloads({"stream"});
        page->form()->set_spec_values(small_spec(8, 1));
        page->start();
        QVERIFY(page->running());
        QTRY_VERIFY_WITH_TIMEOUT(!page->running(), 300000);
        QVERIFY2(page->last_run_id() > 0, qPrintable(page->log_text()));
        QVERIFY2(!page->streamed_text().isEmpty(), qPrintable(page->log_text()));
        QVERIFY(page->throughput_chart()->point_count() > 0);
        QVERIFY(page->latency_chart()->point_count() > 0);
    }

    void cancelKeepsWhatWasMeasured() {
        MainWindow window(dir_.filePath("cancel.sqlite"));
        window.show();
        RunPage* page = window.run_page();
        page->form()->set_demo_model("tiny");
        page->form()->set_workloads({"single"});
        page->form()->set_spec_values(small_spec(64, 50));
        page->start();
        QVERIFY(page->running());
        QTRY_VERIFY_WITH_TIMEOUT(page->latency_chart()->point_count() > 0 || !page->running(), 300000);
        window.cancel_action()->trigger();   // Esc
        QTRY_VERIFY_WITH_TIMEOUT(!page->running(), 120000);
        const qint64 id = page->last_run_id();
        QVERIFY(id > 0);
        HistoryPage* history = window.history_page();
        QTRY_VERIFY_WITH_TIMEOUT(history->model()->row_of_run(id) >= 0, 20000);
        const QString status = QString::fromStdString(history->model()->row_at(history->model()->row_of_run(id)).run.status);
        QVERIFY2(status == "cancelled" || status == "completed", qPrintable(status));
    }

    void eventLoopStaysResponsiveDuringBatch() {
        MainWindow window(dir_.filePath("batch.sqlite"));
        window.show();
        RunPage* page = window.run_page();
        page->form()->set_demo_model("tiny");
        page->form()->set_workloads({"batch"});
        page->form()->set_spec_values(small_spec(32, 2));
        QElapsedTimer clock;
        qint64 last = 0, worst = 0, ticks = 0;
        QTimer timer;
        timer.setInterval(10);
        connect(&timer, &QTimer::timeout, this, [&] {
            const qint64 now = clock.elapsed();
            worst = std::max(worst, now - last);
            last = now;
            ++ticks;
        });
        page->start();
        QVERIFY(page->running());
        clock.start();
        timer.start();
        QTRY_VERIFY_WITH_TIMEOUT(!page->running(), 300000);
        timer.stop();
        QVERIFY(ticks > 0);
        QVERIFY2(page->last_run_id() > 0, qPrintable(page->log_text()));
        qInfo("batch run: %lld ms, worst event-loop gap of a 10 ms timer: %lld ms over %lld ticks",
              clock.elapsed(), worst, ticks);
    }
};

QTEST_MAIN(TestRunPage)
#include "test_run_page.moc"
