// Item models of the window through QAbstractItemModelTester, the filter proxy, and the
// comparison table against hand-computed ratios.
#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QtTest>

#include "tests/ui/ui_test_support.h"
#include "ui/models/baseline_model.h"
#include "ui/models/compare_model.h"
#include "app/reports/compare_table.h"
#include "ui/models/run_filter_proxy.h"
#include "ui/models/run_table_model.h"

using namespace tbui;

namespace {
tbdb::RunSummary summary(int64_t id, const std::string& workload, const std::string& impl, double tok_s,
                         std::optional<double> p50, const std::string& date) {
    tbdb::RunSummary s;
    s.id = id;
    s.uuid = "uuid-" + std::to_string(id);
    s.started_at = date;
    s.workload = workload;
    s.implementation = impl;
    s.kernel = "avx2";
    s.model_path = "/m/model-" + std::to_string(id % 3) + ".gguf";
    s.host = id % 2 ? "alpha" : "beta";
    s.status = id % 5 == 0 ? "failed" : "completed";
    s.threads = static_cast<int>(id % 4 + 1);
    s.metrics.push_back({"output_tok_s", tok_s, "tok/s", 5, ""});
    s.metrics.push_back({"e2e_ms_p50", p50, "ms", 5, p50 ? "" : "no requests"});
    return s;
}
}  // namespace

class TestModels : public QObject {
    Q_OBJECT
private slots:
    void runTableModelPassesTester() {
        RunTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        std::vector<tbdb::RunSummary> runs;
        for (int i = 1; i <= 50; ++i)
            runs.push_back(summary(i, i % 2 ? "single" : "batch", i % 3 ? "ternbench/avx2" : "llama.cpp", 10.0 + i,
                                   i % 4 ? std::optional<double>(100.0 + i) : std::nullopt, "2026-11-20T10:00:00Z"));
        model.set_runs(runs);
        QCOMPARE(model.rowCount(), 50);
        QCOMPARE(model.columnCount(), int(RunTableModel::ColumnCount));
        // A missing figure is shown as missing, never as a number.
        const int missing_row = model.row_of_run(4);
        QCOMPARE(model.index(missing_row, RunTableModel::LatencyP50).data().toString(), QStringLiteral("—"));
        QCOMPARE(model.index(model.row_of_run(3), RunTableModel::LatencyP50).data().toString(), QStringLiteral("103.0"));
        model.set_runs({});
        QCOMPARE(model.rowCount(), 0);
    }

    void proxyFiltersAndSortsNumerically() {
        RunTableModel model;
        RunFilterProxy proxy;
        proxy.set_source(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.set_runs({summary(1, "single", "ternbench/avx2", 9.5, 10, "2026-11-20T10:00:00Z"),
                        summary(2, "batch", "llama.cpp", 100.0, 20, "2026-11-21T10:00:00Z"),
                        summary(3, "single", "llama.cpp", 20.0, 30, "2026-11-19T10:00:00Z")});
        proxy.sort(RunTableModel::Throughput, Qt::AscendingOrder);
        // Numeric, not text order ("100" < "20" < "9.5" as text).
        QCOMPARE(proxy.index(0, RunTableModel::Id).data().toLongLong(), 1);
        QCOMPARE(proxy.index(2, RunTableModel::Id).data().toLongLong(), 2);
        proxy.sort(RunTableModel::Date, Qt::AscendingOrder);
        QCOMPARE(proxy.index(0, RunTableModel::Id).data().toLongLong(), 3);
        proxy.set_workload("single");
        QCOMPARE(proxy.rowCount(), 2);
        proxy.set_implementation("llama.cpp");
        QCOMPARE(proxy.rowCount(), 1);
        proxy.set_implementation("");
        proxy.set_workload("");
        proxy.set_text("LLAMA");
        QCOMPARE(proxy.rowCount(), 2);
        proxy.set_text("");
        proxy.set_status("failed");
        QCOMPARE(proxy.rowCount(), 0);
    }

    void tenThousandRunsStayFast() {
        std::vector<tbdb::RunSummary> runs;
        for (int i = 1; i <= 10000; ++i)
            runs.push_back(summary(i, i % 2 ? "single" : "batch", i % 3 ? "ternbench/avx2" : "llama.cpp", 10.0 + i % 97,
                                   50.0 + i % 13, "2026-11-20T10:00:00Z"));
        RunTableModel model;
        RunFilterProxy proxy;
        proxy.set_source(&model);
        QElapsedTimer timer;
        timer.start();
        model.set_runs(runs);
        proxy.sort(RunTableModel::Throughput, Qt::DescendingOrder);
        const qint64 load_sort_ms = timer.restart();
        proxy.set_text("llama");
        const qint64 filter_ms = timer.elapsed();
        QCOMPARE(model.rowCount(), 10000);
        QVERIFY(proxy.rowCount() > 3000 && proxy.rowCount() < 3400);
        qInfo("10,000 runs: load + sort %lld ms, text filter %lld ms", load_sort_ms, filter_ms);
    }

    void compareTableRatiosAndModel() {
        const QDateTime t = QDateTime::fromString("2026-11-20T10:00:00Z", Qt::ISODate);
        tbdb::RunRecord a = tbtest::make_run("single", "llama.cpp", t, tbtest::around(10.0, 10), tbtest::around(200.0, 20));
        tbdb::RunRecord b = tbtest::make_run("single", "ternbench/avx2", t, tbtest::around(20.0, 10), tbtest::around(100.0, 20));
        a.id = 1;
        b.id = 2;
        const bench::CompareTable table = bench::build_compare_table({a, b});
        QCOMPARE(table.run_labels.size(), size_t(2));
        const auto find = [&](const std::string& name) -> const bench::CompareRow* {
            for (const auto& r : table.rows)
                if (r.metric == name) return &r;
            return nullptr;
        };
        const bench::CompareRow* tok = find("output_tok_s");
        QVERIFY(tok);
        QVERIFY(tok->vs_reference[0].ratio);
        QVERIFY(std::abs(*tok->vs_reference[0].ratio - 2.0) < 1e-9);
        const bench::CompareRow* tested = find("tok_s (median)");
        QVERIFY2(tested, "the raw tok/s samples are compared by the stats (ratio of medians, U test)");
        QVERIFY(tested->vs_reference[0].ci_low && tested->vs_reference[0].ci_high);
        QVERIFY(*tested->vs_reference[0].ci_low <= 2.0 && *tested->vs_reference[0].ci_high >= 2.0);
        QVERIFY(tested->vs_reference[0].significant.value_or(false));
        // Every row names a different metric: untested quantities appear once, as stored figures.
        for (size_t i = 0; i < table.rows.size(); ++i)
            for (size_t j = i + 1; j < table.rows.size(); ++j)
                QVERIFY2(table.rows[i].metric != table.rows[j].metric, table.rows[i].metric.c_str());
        QVERIFY(table.busy_warnings.empty());
        // A run measured while other processes took the CPU is named.
        tbdb::RunRecord busy = b;
        busy.metrics.push_back({"cpu_other_pct", 48.0, "%", 1, ""});
        const bench::CompareTable with_busy = bench::build_compare_table({a, busy});
        QCOMPARE(with_busy.busy_warnings.size(), size_t(1));
        QVERIFY(with_busy.busy_warnings[0].rfind("#2: Busy machine", 0) == 0);

        CompareModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.set_table(table);
        QCOMPARE(model.columnCount(), 2 + 2 + CompareModel::kPerComparison);
        tbdb::RunRecord c = b;
        c.id = 3;
        model.set_table(bench::build_compare_table({a, b, c}));
        QCOMPARE(model.columnCount(), 2 + 3 + 2 * CompareModel::kPerComparison);
        model.set_table({});
        QCOMPARE(model.rowCount(), 0);
    }

    void baselineModelPassesTester() {
        BaselineModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        tbdb::Baseline pinned_run{1, 7, std::nullopt, "2026-11-20T10:00:00Z"};
        tbdb::Baseline pinned_impl{2, std::nullopt, std::string("llama.cpp"), "2026-11-21T10:00:00Z"};
        model.set_baselines({pinned_run, pinned_impl}, {summary(7, "single", "ternbench/avx2", 1, 1, "x")});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(0, BaselineModel::What).data().toString(), QStringLiteral("implementation llama.cpp"));
        QVERIFY(model.index(1, BaselineModel::What).data().toString().startsWith("run #7: single"));
    }
};

QTEST_MAIN(TestModels)
#include "test_models.moc"
