#pragma once
// History over time for the runs the History table shows: one series per implementation
// (latency chart: p50 solid and p95 dotted; throughput chart: tok/s; fidelity chart: the
// perplexity runs' PPL solid on the left axis, mean KLD against their base dotted on the right
// axis), pinned implementations
// dashed, each pinned run as a dashed horizontal baseline, and regressions (robust z-score
// over the last comparable runs, app/stats) marked in red. Hover shows the value, clicking a
// point emits its run id.
#include <unordered_map>
#include <vector>

#include <QChartView>
#include <QSet>

#include "ui/models/run_table_model.h"

class QXYSeries;

namespace tbui {

class HistoryChartView : public QChartView {
    Q_OBJECT
public:
    enum class Kind { Latency, Throughput, Fidelity };
    HistoryChartView(Kind kind, QWidget* parent = nullptr);

    // rows: the runs to plot (any order); pinned_implementations: implementations pinned as baselines.
    void set_runs(const std::vector<const RunTableModel::Row*>& rows, const QSet<QString>& pinned_implementations);

    int plotted_points() const { return plotted_; }       // data points (without baselines)
    int regression_count() const { return regressions_; }
    bool plots_run(qint64 run_id) const;
    // The scene position of a run's first point (tests click it); null when not plotted.
    QPointF position_of_run(qint64 run_id) const;
    static QString regression_method();

signals:
    void runClicked(qint64 run_id);

private:
    void add_series(QXYSeries* series, std::vector<qint64> ids);
    qint64 run_at(QXYSeries* series, const QPointF& value) const;
    int nearest_index(QXYSeries* series, const QPointF& value) const;   // -1: none
    void on_hover(QXYSeries* series, const QPointF& value, bool state);

    Kind kind_;
    std::unordered_map<QXYSeries*, std::vector<qint64>> ids_;   // index-aligned with the points
    int plotted_ = 0;
    int regressions_ = 0;
};

}  // namespace tbui
