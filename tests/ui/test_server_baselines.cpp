// The window's latency baselines over HTTP: the Baselines page's llama-server box runs a
// workload against a stand-in llama-server (recorded responses over real HTTP) and stores a
// latency run labelled with the implementation; the Run page's Target box puts the endpoint
// into the specs it starts.
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "db/run_store.h"
#include "tests/ui/ui_test_support.h"
#include "ui/app/main_window.h"
#include "ui/pages/baselines_page.h"
#include "ui/pages/endpoint_target_box.h"
#include "ui/pages/run_form.h"
#include "ui/pages/run_page.h"
#include "ui/pages/server_baseline_box.h"

using namespace tbui;

class TestServerBaselines : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        tbtest::isolate_settings(dir_.filePath("settings"));
    }

    void runBaselineNowStoresALatencyRun() {
        const QString db = dir_.filePath("srv.sqlite");
        MainWindow window(db);
        ServerBaselineBox* box = window.baselines_page()->server_baselines();
        QVERIFY(box);
        box->set_programs({});
        box->set_model(QStringLiteral(TB_FIXTURES_DIR "/tiny-tq2_0.gguf"));
        QVERIFY(!box->run_button()->isEnabled());
        box->set_programs({QStringLiteral(TB_FAKE_LLAMA_SERVER)});
        QVERIFY(box->run_button()->isEnabled());
        box->set_workload("stream");
        QCOMPARE(box->current_spec().spec.workload, std::string("stream"));
        QSignalSpy done(box, &ServerBaselineBox::baselineFinished);
        QTest::mouseClick(box->run_button(), Qt::LeftButton);
        QVERIFY(box->running());
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 120000);
        QVERIFY2(done.at(0).at(0).toBool(), qPrintable(box->last_summary()));
        QVERIFY(box->last_summary().contains("TTFT p50"));
        tbdb::RunStore store(db.toStdString());
        const auto runs = store.list_runs();
        QCOMPARE(runs.size(), size_t(1));
        const auto run = store.load_run(runs.front().id);
        QCOMPARE(run->implementation, std::string("llama.cpp"));
        QCOMPARE(run->workload, std::string("stream"));
        QVERIFY(!run->requests.empty());
    }

    void runPageTargetsAnEndpoint() {
        MainWindow window(dir_.filePath("run.sqlite"));
        RunPage* run = window.run_page();
        run->form()->set_workloads({"stream"});
        QVERIFY(run->form()->specs().front().endpoint.empty());
        run->form()->endpoint_target()->set_endpoint("http://127.0.0.1:8080");
        QCOMPARE(run->form()->specs().front().endpoint, std::string("http://127.0.0.1:8080"));
        run->form()->set_workloads({"pp"});
        QVERIFY(run->form()->validation_errors().contains("cannot run against an endpoint"));
    }
};

QTEST_MAIN(TestServerBaselines)
#include "test_server_baselines.moc"
