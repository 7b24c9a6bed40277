#pragma once
// History over time for runs of ONE configuration (the History page chooses it): one series per
// implementation setup (latency chart: p50 solid and p95 dotted; throughput chart: tok/s;
// fidelity chart: the perplexity runs' PPL solid on the left axis, mean KLD against their base
// dotted on the right axis), pinned implementations dashed, each pinned run as a dashed
// horizontal baseline, and regressions (robust z-score over the last runs of the series on the
// same host, app/stats) marked in red. A chart with nothing to draw says why in words. Hover
// shows the value, clicking a point emits its run id.
#include <unordered_map>
#include <vector>

#include <QChartView>
#include <QSet>

#include "ui/models/run_table_model.h"

class QLabel;
class QXYSeries;

namespace tbui {

class HistoryChartView : public QChartView {
    Q_OBJECT
public:
    enum class Kind { Latency, Throughput, Fidelity };
    HistoryChartView(Kind kind, QWidget* parent = nullptr);

    // rows: the runs to plot (any order), all of one configuration; pinned_implementations:
    // implementations pinned as baselines; workload: the configuration's, for the empty reason.
    void set_runs(const std::vector<const RunTableModel::Row*>& rows, const QSet<QString>& pinned_implementations,
                  const std::string& workload = {});
    // Each drawn series: its name and the runs behind its points (tests check no series mixes
    // configurations).
    std::vector<std::pair<QString, std::vector<qint64>>> series_runs() const;
    QString empty_reason() const;   // empty when the chart draws something

    int plotted_points() const { return plotted_; }       // data points (without baselines)
    int regression_count() const { return regressions_; }
    bool plots_run(qint64 run_id) const;
    // The scene position of a run's first point (tests click it); null when not plotted.
    QPointF position_of_run(qint64 run_id) const;
    static QString regression_method();

signals:
    void runClicked(qint64 run_id);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void place_empty_label();
    void add_series(QXYSeries* series, std::vector<qint64> ids);
    qint64 run_at(QXYSeries* series, const QPointF& value) const;
    int nearest_index(QXYSeries* series, const QPointF& value) const;   // -1: none
    void on_hover(QXYSeries* series, const QPointF& value, bool state);

    Kind kind_;
    QLabel* empty_ = nullptr;   // the reason, over the empty plot
    std::unordered_map<QXYSeries*, std::vector<qint64>> ids_;   // index-aligned with the points
    int plotted_ = 0;
    int regressions_ = 0;
};

}  // namespace tbui
