#include "ui/charts/compare_charts.h"

#include <algorithm>

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QLineSeries>
#include <QValueAxis>

#include "app/metrics/request_metrics.h"
#include "app/reports/compare_table.h"
#include "app/reports/key_figures.h"
#include "app/reports/run_labels.h"
#include "ui/charts/chart_style.h"
#include "ui/models/run_table_model.h"

namespace tbui {

namespace {
void reset(QChart* chart) {
    chart->removeAllSeries();
    for (QAbstractAxis* axis : chart->axes()) {
        chart->removeAxis(axis);
        delete axis;
    }
}
// Legend entries share one row: "#id implementation" fits where the full run label is elided.
// Colours by position (reference first), from a strong colour-blind-safe set: the shared
// first-use palette can hand a run its pale yellow, unreadable on white.
QColor run_color(size_t index) {
    static const QColor colors[] = {QColor(0x00, 0x72, 0xb2), QColor(0xd5, 0x5e, 0x00), QColor(0x00, 0x9e, 0x73),
                                    QColor(0xcc, 0x79, 0xa7), QColor(0x56, 0xb4, 0xe9), QColor(0xe6, 0x9f, 0x00)};
    return colors[index % std::size(colors)];
}

QString chart_label(const tbdb::RunRecord& run) {
    const QString s = QStringLiteral("#%1 %2").arg(run.id).arg(QString::fromStdString(run.implementation));
    return bench::run_over_http(run) ? s + QObject::tr(" (HTTP)") : s;
}

// The per-request values a CDF shows.
std::vector<double> latency_values(const tbdb::RunRecord& run, LatencyQuantity q) {
    if (q == LatencyQuantity::E2E) return bench::request_latencies(run);
    std::vector<double> out;
    for (const auto& r : run.requests) {
        if (q == LatencyQuantity::TTFT) {
            if (r.ttft_ms) out.push_back(*r.ttft_ms);
        } else {
            const auto gaps = bench::metrics::itl_ms(r);
            out.insert(out.end(), gaps.begin(), gaps.end());
        }
    }
    return out;
}
}  // namespace

void fill_relative_bar_chart(QChart* chart, const std::vector<tbdb::RunRecord>& runs) {
    reset(chart);
    chart->setTitle(QObject::tr("Key figures relative to the reference run (reference = 1)"));
    if (runs.empty()) return;
    // Only the figures the reference has (a ratio needs it).
    std::vector<bench::KeyFigure> figures;
    QStringList categories;
    for (int f = 0; f < bench::kKeyFigureCount; ++f) {
        const auto v = bench::key_figure(runs[0].metrics, static_cast<bench::KeyFigure>(f));
        if (!v || *v == 0.0) continue;
        figures.push_back(static_cast<bench::KeyFigure>(f));
        const bench::KeyFigureInfo& info = bench::key_figure_info(static_cast<bench::KeyFigure>(f));
        // No unit: the bars are ratios, and a long category label gets elided.
        categories << QObject::tr(info.label);
    }
    auto* series = new QBarSeries;
    double top = 1.0;
    for (size_t i = 0; i < runs.size(); ++i) {
        const auto& run = runs[i];
        const QString label = chart_label(run);
        auto* set = new QBarSet(label);
        set->setColor(run_color(i));
        for (bench::KeyFigure f : figures) {
            const auto ref = bench::key_figure(runs[0].metrics, f);
            const auto v = bench::key_figure(run.metrics, f);
            const double rel = v ? *v / *ref : 0.0;   // a missing figure draws no bar
            *set << rel;
            top = std::max(top, rel);
        }
        series->append(set);
    }
    series->setLabelsVisible(true);
    series->setLabelsFormat(QStringLiteral("@value"));
    series->setLabelsPrecision(3);
    series->setLabelsPosition(QAbstractBarSeries::LabelsOutsideEnd);
    chart->addSeries(series);
    auto* x_axis = new QBarCategoryAxis;
    x_axis->append(categories);
    auto* y_axis = new QValueAxis;
    y_axis->setTitleText(QObject::tr("× reference"));
    y_axis->setRange(0, top * 1.2);
    y_axis->applyNiceNumbers();
    y_axis->setLabelFormat("%.1f");
    chart->addAxis(x_axis, Qt::AlignBottom);
    chart->addAxis(y_axis, Qt::AlignLeft);
    series->attachAxis(x_axis);
    series->attachAxis(y_axis);
    chart->legend()->setVisible(true);
}

int fill_latency_cdf_chart(QChart* chart, const std::vector<tbdb::RunRecord>& runs, LatencyQuantity quantity) {
    reset(chart);
    chart->setTitle(quantity == LatencyQuantity::E2E    ? QObject::tr("End-to-end latency distribution (CDF of requests)")
                    : quantity == LatencyQuantity::TTFT ? QObject::tr("Time to first token (CDF of requests)")
                                                        : QObject::tr("Inter-token latency (CDF of token gaps)"));
    auto* x_axis = new QValueAxis;
    x_axis->setTitleText(quantity == LatencyQuantity::E2E    ? QObject::tr("E2E latency (ms)")
                         : quantity == LatencyQuantity::TTFT ? QObject::tr("TTFT (ms)")
                                                             : QObject::tr("ITL (ms)"));
    x_axis->setLabelFormat("%g");
    auto* y_axis = new QValueAxis;
    y_axis->setTitleText(QObject::tr("Share ≤ x"));
    y_axis->setRange(0, 1);
    y_axis->setTickCount(6);   // 0, 0.2, ... 1: exact with one decimal
    y_axis->setLabelFormat("%.1f");
    chart->addAxis(x_axis, Qt::AlignBottom);
    chart->addAxis(y_axis, Qt::AlignLeft);
    double x_max = 0;
    int plotted = 0;
    for (size_t i = 0; i < runs.size(); ++i) {
        const auto& run = runs[i];
        std::vector<double> lat = latency_values(run, quantity);
        if (lat.empty()) continue;
        std::sort(lat.begin(), lat.end());
        const QString label = chart_label(run);
        auto* series = new QLineSeries;
        series->setName(label);
        QPen pen(run_color(i));
        pen.setWidthF(2);
        series->setPen(pen);
        // Empirical CDF as a step function.
        const double n = static_cast<double>(lat.size());
        series->append(lat.front(), 0.0);
        for (size_t i = 0; i < lat.size(); ++i) {
            if (i > 0) series->append(lat[i], static_cast<double>(i) / n);
            series->append(lat[i], static_cast<double>(i + 1) / n);
        }
        x_max = std::max(x_max, lat.back());
        chart->addSeries(series);
        series->attachAxis(x_axis);
        series->attachAxis(y_axis);
        ++plotted;
    }
    x_axis->setRange(0, x_max > 0 ? x_max * 1.05 : 1);
    x_axis->applyNiceNumbers();
    chart->legend()->setVisible(plotted > 0);
    return plotted;
}

}  // namespace tbui
