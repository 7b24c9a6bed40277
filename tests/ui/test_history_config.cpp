// History compares like with like (issue 10 part 2): over a store with several models (4),
// workloads (6) and implementations (5), the charts show one configuration at a time, the most
// recent by default, and no series ever joins runs of different configurations; a chart with
// nothing to draw says why.
#include <QTemporaryDir>
#include <QtTest>

#include <map>
#include <set>

#include "app/reports/pairing.h"
#include "app/reports/run_config.h"
#include "tests/ui/mixed_history.h"
#include "ui/app/app_context.h"
#include "ui/charts/history_chart_view.h"
#include "ui/models/run_table_model.h"
#include "ui/pages/history_page.h"

using namespace tbui;

class TestHistoryConfig : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString db_;
    std::map<int64_t, tbdb::RunRecord> runs_;

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        tbtest::isolate_settings(dir_.filePath("settings"));
        db_ = dir_.filePath("history.sqlite");
        tbdb::RunStore store(db_.toStdString());
        const tbtest::ModelFile demo{"/cache/demo-small-i2_s.gguf", "0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e",
                                     "I2_S", 110000000};
        auto runs = tbtest::mixed_history(demo, 32, QDateTime::fromString("2026-11-01T09:00:00Z", Qt::ISODate));
        store.insert_runs(runs);
        store.pin_implementation("llama.cpp");
        for (const auto& r : runs) runs_[r.id] = r;
    }

    void no_series_joins_runs_of_different_configurations() {
        AppContext context(db_);
        HistoryPage page(&context);
        page.resize(1200, 800);
        QTRY_VERIFY_WITH_TIMEOUT(page.load_count() > 0 && !page.loading(), 20000);
        QCOMPARE(page.model()->rowCount(), static_cast<int>(runs_.size()));

        // The store's variety, as the test requires it.
        std::set<std::string> models, workloads, impls;
        for (const auto& [id, r] : runs_) {
            models.insert(r.model.path);
            workloads.insert(r.workload);
            impls.insert(r.implementation);
        }
        QVERIFY(models.size() >= 2 && workloads.size() >= 3 && impls.size() >= 3);

        const QStringList configs = page.chart_configurations();
        QVERIFY2(configs.size() >= 8, qPrintable(QString::number(configs.size())));
        // The default is the configuration of the newest run.
        const tbdb::RunRecord* newest = nullptr;
        for (const auto& [id, r] : runs_)
            if (!newest || r.started_at > newest->started_at) newest = &r;
        QCOMPARE(page.chart_configuration(), QString::fromStdString(bench::run_config(*newest).experiment_key()));

        int series_checked = 0, multi_impl_configs = 0;
        for (const QString& key : configs) {
            page.set_chart_configuration(key);
            QCOMPARE(page.chart_configuration(), key);
            std::set<std::string> impls_here;
            for (HistoryChartView* chart : {page.latency_chart(), page.throughput_chart()}) {
                for (const auto& [name, ids] : chart->series_runs()) {
                    QVERIFY(!ids.empty());
                    const bench::RunConfig first = bench::run_config(runs_.at(ids.front()));
                    QCOMPARE(QString::fromStdString(first.experiment_key()), key);
                    for (qint64 id : ids) {
                        const bench::RunConfig c = bench::run_config(runs_.at(id));
                        // Regression markers and baselines may hold several implementations;
                        // a line series holds one setup of one implementation.
                        QVERIFY2(bench::match_configs(c, first).same,
                                 qPrintable(name + ": #" + QString::number(id) + " joins another configuration"));
                        if (name != QStringLiteral("regression"))
                            QVERIFY2(bench::same_configuration(c, first) || name.startsWith("baseline #"),
                                     qPrintable(name + ": #" + QString::number(id) + " joins another setup"));
                        impls_here.insert(c.implementation);
                    }
                    ++series_checked;
                }
            }
            if (impls_here.size() >= 2) ++multi_impl_configs;
        }
        QVERIFY(series_checked > 10);
        QVERIFY(multi_impl_configs >= 2);   // e.g. tg128 on the TQ2_0 file: engine and llama.cpp

        // -rtr 1 is its own series beside ik_llama.cpp without it.
        bool rtr_series = false;
        for (const QString& key : configs) {
            page.set_chart_configuration(key);
            for (const auto& [name, ids] : page.throughput_chart()->series_runs())
                if (name.contains("-rtr 1")) rtr_series = true;
        }
        QVERIFY(rtr_series);
    }

    void empty_chart_says_why() {
        AppContext context(db_);
        HistoryPage page(&context);
        QTRY_VERIFY_WITH_TIMEOUT(page.load_count() > 0 && !page.loading(), 20000);
        bool seen_tg = false;
        for (const QString& key : page.chart_configurations()) {
            if (!key.contains("|tg128|")) continue;
            page.set_chart_configuration(key);
            QVERIFY(page.throughput_chart()->plotted_points() > 0);
            QCOMPARE(page.latency_chart()->plotted_points(), 0);
            QVERIFY2(page.latency_chart()->empty_reason().contains("tg runs have no per-request latency"),
                     qPrintable(page.latency_chart()->empty_reason()));
            QVERIFY(page.throughput_chart()->empty_reason().isEmpty());
            seen_tg = true;
        }
        QVERIFY(seen_tg);
    }
};

QTEST_MAIN(TestHistoryConfig)
#include "test_history_config.moc"
