// Legend labels of narrow charts: elided in the middle so entries that differ only at the end
// ("ternbench/avx512" and "ternbench/avx2") stay told apart; the series keep their names.
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QFontMetrics>
#include <QLegendMarker>
#include <QLineSeries>
#include <QtTest>

#include "ui/charts/chart_style.h"
#include "ui/charts/history_chart_view.h"

using namespace tbui;

namespace {

QStringList labels(QChart* chart) {
    QStringList out;
    for (QLegendMarker* m : chart->legend()->markers()) out << m->label();
    return out;
}

// A chart in a shown view, as in the window (a legend off screen reports its entries hidden).
struct ShownChart {
    QChart* chart = new QChart;
    QChartView view{chart};
    ShownChart() {
        view.resize(800, 400);
        view.show();
    }
};

}  // namespace

class TestChartStyle : public QObject {
    Q_OBJECT
private slots:
    void lineLegendKeepsEndings() {
        ShownChart shown;
        QVERIFY(QTest::qWaitForWindowExposed(&shown.view));
        QChart& chart = *shown.chart;
        const QStringList names = {"ternbench/avx512 vnni, 2 threads", "ternbench/avx2 fma, 2 threads",
                                   "llama.cpp 3f545becc (baseline)", "regression"};
        for (const QString& n : names) {
            auto* s = new QLineSeries;
            s->setName(n);
            chart.addSeries(s);
        }
        QCoreApplication::processEvents();
        elide_legend_labels(&chart, 420);
        const QStringList got = labels(&chart);
        QCOMPARE(got.size(), names.size());
        const QFontMetrics fm(chart.legend()->font());
        for (int i = 0; i < names.size(); ++i) {
            QCOMPARE(got[i].back(), names[i].back());    // the end survives
            QCOMPARE(got[i].front(), names[i].front());  // and the start
            QCOMPARE(chart.series()[i]->name(), names[i]);
        }
        QCOMPARE(got[3], QString("regression"));         // short names are left whole
        QVERIFY2(got[0] != names[0] && got[0].contains(QChar(0x2026)), qPrintable(got.join(" | ")));
        QCOMPARE(QSet<QString>(got.begin(), got.end()).size(), names.size());
        int total = 0;
        for (const QString& l : got) total += fm.horizontalAdvance(l);
        QVERIFY2(total < 420, qPrintable(QString::number(total)));
        // Wide again: the full names come back.
        elide_legend_labels(&chart, 4000);
        QCOMPARE(labels(&chart), names);
    }

    void barLegendUsesSetLabels() {
        ShownChart shown;
        QVERIFY(QTest::qWaitForWindowExposed(&shown.view));
        QChart& chart = *shown.chart;
        auto* bars = new QBarSeries;
        for (const char* n : {"#160 bitnet.cpp 406a5036 over HTTP", "#200 ternbench/avx512 a480e over HTTP"}) {
            auto* set = new QBarSet(n);
            *set << 1.0;
            bars->append(set);
        }
        chart.addSeries(bars);
        QCoreApplication::processEvents();
        elide_legend_labels(&chart, 300);
        const QStringList got = labels(&chart);
        QCOMPARE(got.size(), 2);
        QVERIFY2(got[0] != got[1] && got[1].contains(QChar(0x2026)), qPrintable(got.join(" | ")));
        QVERIFY(got[1].endsWith("HTTP") && got[1].startsWith("#200"));
        QCOMPARE(bars->barSets()[1]->label(), QString("#200 ternbench/avx512 a480e over HTTP"));
    }

    void busyRunIsNotARegression() {
        // Six steady runs, then one at half speed: flagged, unless other work took the CPU.
        std::vector<RunTableModel::Row> rows(7);
        const QDateTime t0 = QDateTime::fromString("2026-11-20T10:00:00Z", Qt::ISODate);
        for (int i = 0; i < 7; ++i) {
            rows[i].run.id = i + 1;
            rows[i].run.status = "completed";
            rows[i].run.host = "vm";
            rows[i].config.implementation = "ternbench/avx512";
            rows[i].started = t0.addSecs(3600 * i);
            rows[i].figures[static_cast<int>(bench::KeyFigure::Throughput)] = i < 6 ? 40.0 + 0.1 * i : 20.0;
        }
        std::vector<const RunTableModel::Row*> ptrs;
        for (const auto& r : rows) ptrs.push_back(&r);
        HistoryChartView chart(HistoryChartView::Kind::Throughput);
        chart.set_runs(ptrs, {}, "tg");
        QCOMPARE(chart.plotted_points(), 7);
        QCOMPARE(chart.regression_count(), 1);
        rows[6].run.metrics.push_back({"cpu_other_pct", 48.0, "%", 1, ""});
        chart.set_runs(ptrs, {}, "tg");
        QCOMPARE(chart.plotted_points(), 7);   // still drawn
        QCOMPARE(chart.regression_count(), 0);
        QVERIFY(HistoryChartView::regression_method().contains("busy machine"));
    }

    void viewElidesOnResize() {
        auto* chart = new QChart;
        auto* s = new QLineSeries;
        s->setName("ternbench/avx512 with a rather long setup description");
        chart->addSeries(s);
        QChartView view(chart);
        apply_view_style(&view);
        view.resize(260, 200);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTRY_VERIFY(chart->legend()->markers()[0]->label().contains(QChar(0x2026)));
    }
};

QTEST_MAIN(TestChartStyle)
#include "test_chart_style.moc"
