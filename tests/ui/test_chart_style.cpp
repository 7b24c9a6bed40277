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
