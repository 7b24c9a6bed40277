#include "ui/charts/history_chart_view.h"

#include <algorithm>
#include <map>
#include <tuple>

#include <QDateTimeAxis>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QScatterSeries>
#include <QToolTip>
#include <QValueAxis>

#include "app/reports/busy_machine.h"
#include "app/reports/history_configs.h"
#include "app/stats/regression.h"
#include "ui/charts/chart_style.h"

namespace tbui {

namespace {
constexpr int kPointsVisibleUpTo = 400;   // markers on every point stop helping beyond this
}

HistoryChartView::HistoryChartView(Kind kind, QWidget* parent) : QChartView(parent), kind_(kind) {
    auto* chart = new QChart;
    apply_chart_style(chart);
    setChart(chart);
    apply_view_style(this);
    setMouseTracking(true);
    empty_ = new QLabel(this);
    empty_->setWordWrap(true);
    empty_->setAlignment(Qt::AlignCenter);
    empty_->setAttribute(Qt::WA_TransparentForMouseEvents);
    empty_->setStyleSheet(QStringLiteral("QLabel { color: palette(text); background: palette(base); padding: 8px; }"));
    set_runs({}, {});
}

void HistoryChartView::resizeEvent(QResizeEvent* event) {
    QChartView::resizeEvent(event);
    place_empty_label();
}

void HistoryChartView::place_empty_label() {
    if (!empty_) return;
    const int w = std::max(120, width() * 3 / 4);
    empty_->setFixedWidth(w);
    empty_->adjustSize();
    empty_->move((width() - w) / 2, (height() - empty_->height()) / 2);
}

QString HistoryChartView::empty_reason() const { return empty_->isHidden() ? QString() : empty_->text(); }

std::vector<std::pair<QString, std::vector<qint64>>> HistoryChartView::series_runs() const {
    std::vector<std::pair<QString, std::vector<qint64>>> out;
    for (const auto& [series, ids] : ids_) out.emplace_back(series->name(), ids);
    return out;
}

QString HistoryChartView::regression_method() {
    return QString::fromStdString(bench::regression_method_description()) +
           tr("; runs measured on a busy machine (cpu_other_pct >= %1 % or cpu_steal_pct >= %2 %) are drawn, "
              "not judged")
               .arg(bench::kBusyOtherPct)
               .arg(bench::kBusyStealPct);
}

void HistoryChartView::set_runs(const std::vector<const RunTableModel::Row*>& input, const QSet<QString>& pinned_impls,
                                const std::string& workload) {
    QChart* chart = this->chart();
    chart->removeAllSeries();
    for (QAbstractAxis* axis : chart->axes()) {
        chart->removeAxis(axis);
        delete axis;
    }
    ids_.clear();
    plotted_ = regressions_ = 0;

    const bool latency = kind_ == Kind::Latency, fidelity = kind_ == Kind::Fidelity;
    chart->setTitle(latency    ? tr("Latency over time (p50 solid, p95 dotted)")
                    : fidelity ? tr("Fidelity: PPL solid, mean KLD dotted")
                               : tr("Throughput over time"));
    auto* x_axis = new QDateTimeAxis;
    x_axis->setFormat("MM-dd HH:mm");
    x_axis->setTitleText(tr("Run start"));
    auto* y_axis = new QValueAxis;
    y_axis->setTitleText(latency ? tr("Latency (ms)") : fidelity ? tr("Perplexity") : tr("Throughput (tok/s)"));
    y_axis->setLabelFormat("%g");
    chart->addAxis(x_axis, Qt::AlignBottom);
    chart->addAxis(y_axis, Qt::AlignLeft);
    // Fidelity: KLD (nats, near 0) and PPL (often large) need their own scales.
    QValueAxis* y2_axis = nullptr;
    if (fidelity) {
        y2_axis = new QValueAxis;
        y2_axis->setTitleText(tr("Mean KLD (nats)"));
        y2_axis->setLabelFormat("%g");
        chart->addAxis(y2_axis, Qt::AlignRight);
    }

    std::vector<const RunTableModel::Row*> rows;
    for (const auto* r : input)
        if (r->started.isValid()) rows.push_back(r);
    std::sort(rows.begin(), rows.end(), [](auto* a, auto* b) { return a->started < b->started; });

    using bench::KeyFigure;
    const std::vector<KeyFigure> figures = latency    ? std::vector{KeyFigure::LatencyP50, KeyFigure::LatencyP95}
                                           : fidelity ? std::vector{KeyFigure::Perplexity, KeyFigure::KlDivergence}
                                                      : std::vector{KeyFigure::Throughput};
    const auto direction = latency || fidelity ? bench::Direction::LowerIsBetter : bench::Direction::HigherIsBetter;
    qint64 t_min = std::numeric_limits<qint64>::max(), t_max = std::numeric_limits<qint64>::min();
    double y_max = 0, y2_max = 0;
    auto* flagged = new QScatterSeries;
    // Short: the legend truncates long names; the method is explained under the chart.
    flagged->setName(tr("regression"));
    flagged->setColor(regression_color());
    flagged->setBorderColor(regression_color());
    flagged->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
    flagged->setMarkerSize(12);
    std::vector<qint64> flagged_ids;

    // One series per implementation setup (the rows are one configuration already); regressions
    // are judged within a series on one host.
    std::map<std::string, std::vector<const RunTableModel::Row*>> by_series;
    std::map<std::string, int> name_uses;
    for (const auto* r : rows) {
        auto& list = by_series[bench::series_key(r->config)];
        if (list.empty()) ++name_uses[bench::series_name(r->config)];
        list.push_back(r);
    }
    for (const auto& [key, impl_rows] : by_series) {
        const bench::RunConfig& config = impl_rows.front()->config;
        std::string series_name = bench::series_name(config);
        // Two setups of one implementation under one name: spell out the switches.
        if (name_uses[series_name] > 1) series_name = key;
        const QString name = QString::fromStdString(series_name);
        const QString impl = QString::fromStdString(config.implementation);
        const bool pinned = pinned_impls.contains(impl);
        for (size_t f = 0; f < figures.size(); ++f) {
            auto* series = new QLineSeries;
            QString label = name;
            // p50 is the solid line the title names; only p95 is spelled out (legend space).
            if (latency && f == 1) label += QStringLiteral(" p95");
            if (fidelity && f == 1) label += QStringLiteral(" KLD");
            const bool right = y2_axis && f == 1;
            if (pinned) label += tr(" (baseline)");
            series->setName(label);
            QPen pen(series_color(impl));
            pen.setWidthF(2);
            if (pinned) pen.setStyle(Qt::DashLine);
            if (f == 1) pen.setStyle(Qt::DotLine);
            series->setPen(pen);
            std::vector<qint64> ids;
            std::map<std::string, std::vector<double>> history;   // by host
            for (const auto* r : impl_rows) {
                const auto v = r->figures[static_cast<int>(figures[f])];
                if (!v) continue;
                const qint64 t = r->started.toMSecsSinceEpoch();
                series->append(static_cast<double>(t), *v);
                ids.push_back(r->run.id);
                t_min = std::min(t_min, t);
                t_max = std::max(t_max, t);
                (right ? y2_max : y_max) = std::max(right ? y2_max : y_max, *v);
                ++plotted_;
                // Neither a failed run nor one measured while other work took the CPU is
                // judged, or becomes history for later runs: both measure the machine, not the code.
                if (r->run.status != "completed" || bench::measured_on_busy_machine(r->run.metrics)) continue;
                auto& h = history[r->run.host];
                const bench::RegressionResult reg = bench::detect_regression(h, *v, direction);
                if (reg.regression) {
                    flagged->append(static_cast<double>(t), *v);
                    flagged_ids.push_back(r->run.id);
                    ++regressions_;
                }
                h.push_back(*v);
            }
            series->setPointsVisible(series->count() <= kPointsVisibleUpTo);
            if (series->count() == 0) {
                delete series;
                continue;
            }
            chart->addSeries(series);
            series->attachAxis(x_axis);
            series->attachAxis(right ? y2_axis : y_axis);
            // One legend entry per implementation: p95 shares its colour, the title names the style.
            if (f == 1)
                for (QLegendMarker* marker : chart->legend()->markers(series)) marker->setVisible(false);
            add_series(series, std::move(ids));
        }
    }
    // Pinned runs: a dashed horizontal line at their value across the whole range.
    for (const auto* r : rows) {
        if (!r->run.pinned) continue;
        const auto v = r->figures[static_cast<int>(figures[0])];
        if (!v || t_min > t_max) continue;
        auto* line = new QLineSeries;
        line->setName(tr("baseline #%1 %2").arg(r->run.id).arg(QString::fromStdString(r->run.implementation)));
        QPen pen(series_color(QString::fromStdString(r->run.implementation)));
        pen.setStyle(Qt::DashLine);
        pen.setWidthF(1.5);
        line->setPen(pen);
        line->append(static_cast<double>(t_min), *v);
        line->append(static_cast<double>(t_max), *v);
        chart->addSeries(line);
        line->attachAxis(x_axis);
        line->attachAxis(y_axis);
        add_series(line, {r->run.id, r->run.id});
    }
    if (flagged->count() > 0) {
        chart->addSeries(flagged);
        flagged->attachAxis(x_axis);
        flagged->attachAxis(y_axis);
        add_series(flagged, std::move(flagged_ids));
    } else {
        delete flagged;
    }
    if (t_min <= t_max) {
        const qint64 pad = std::max<qint64>((t_max - t_min) / 20, 60'000);
        x_axis->setRange(QDateTime::fromMSecsSinceEpoch(t_min - pad), QDateTime::fromMSecsSinceEpoch(t_max + pad));
        // Days apart: the time of day is noise on the axis (the tooltip has it).
        x_axis->setFormat(t_max - t_min > 2 * 86'400'000LL ? QStringLiteral("MMM d") : QStringLiteral("MM-dd HH:mm"));
        y_axis->setRange(0, y_max > 0 ? y_max * 1.1 : 1);
        y_axis->applyNiceNumbers();
        if (y2_axis) {
            y2_axis->setRange(0, y2_max > 0 ? y2_max * 1.1 : 1);
            y2_axis->applyNiceNumbers();
        }
    } else {
        const QDateTime now = QDateTime::currentDateTime();
        x_axis->setRange(now.addDays(-1), now);
        y_axis->setRange(0, 1);
        if (y2_axis) y2_axis->setRange(0, 1);
    }
    chart->legend()->setVisible(!ids_.empty());
    elide_legend_labels(chart, width());
    const bool empty = plotted_ == 0;
    empty_->setText(empty ? QString::fromStdString(bench::empty_chart_reason(latency ? bench::HistoryChart::Latency : fidelity ? bench::HistoryChart::Fidelity : bench::HistoryChart::Throughput, workload, static_cast<int>(input.size())))
                          : QString());
    empty_->setVisible(empty);
    place_empty_label();
}

void HistoryChartView::add_series(QXYSeries* series, std::vector<qint64> ids) {
    ids_[series] = std::move(ids);
    connect(series, &QXYSeries::clicked, this, [this, series](const QPointF& p) {
        const qint64 id = run_at(series, p);
        if (id > 0) emit runClicked(id);
    });
    connect(series, &QXYSeries::hovered, this,
            [this, series](const QPointF& p, bool state) { on_hover(series, p, state); });
}

qint64 HistoryChartView::run_at(QXYSeries* series, const QPointF& value) const {
    auto it = ids_.find(series);
    const int best = nearest_index(series, value);
    return best >= 0 && best < static_cast<int>(it->second.size()) ? it->second[static_cast<size_t>(best)] : 0;
}

int HistoryChartView::nearest_index(QXYSeries* series, const QPointF& value) const {
    if (!ids_.count(series) || series->count() == 0) return -1;
    // Nearest point on screen: the click lands near, not exactly on, a point.
    const QPointF target = chart()->mapToPosition(value, series);
    int best = -1;
    double best_d = 0;
    const auto points = series->points();
    for (int i = 0; i < points.size(); ++i) {
        const QPointF d = chart()->mapToPosition(points[i], series) - target;
        const double dist = d.x() * d.x() + d.y() * d.y();
        if (best < 0 || dist < best_d) { best = i; best_d = dist; }
    }
    return best;
}

void HistoryChartView::on_hover(QXYSeries* series, const QPointF& value, bool state) {
    if (!state) {
        QToolTip::hideText();
        return;
    }
    const int index = nearest_index(series, value);
    if (index < 0) return;
    const QPointF point = series->at(index);
    const qint64 id = ids_.at(series)[static_cast<size_t>(index)];
    const QString when = QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(point.x())).toString("yyyy-MM-dd HH:mm");
    const QString unit = kind_ == Kind::Latency      ? QStringLiteral("ms")
                         : kind_ == Kind::Throughput ? QStringLiteral("tok/s")
                         : series->name().contains(QStringLiteral(" KLD")) ? QStringLiteral("nats")
                                                                           : QString();
    QToolTip::showText(QCursor::pos(), tr("%1\n%2 %3\nrun #%4, %5").arg(series->name(), format_figure(point.y()), unit)
                                           .arg(id).arg(when), this);
}

bool HistoryChartView::plots_run(qint64 run_id) const {
    for (const auto& [series, ids] : ids_)
        if (std::find(ids.begin(), ids.end(), run_id) != ids.end()) return true;
    return false;
}

QPointF HistoryChartView::position_of_run(qint64 run_id) const {
    for (const auto& [series, ids] : ids_) {
        const auto it = std::find(ids.begin(), ids.end(), run_id);
        if (it == ids.end()) continue;
        const int index = static_cast<int>(it - ids.begin());
        return chart()->mapToScene(chart()->mapToPosition(series->at(index), series));
    }
    return {};
}

}  // namespace tbui
