#pragma once
// A line chart that grows as points arrive (Run page: tok/s over time, latency per request).
// Axes follow the data; nothing is animated so bursts of points stay cheap.
#include <QChartView>

class QLineSeries;
class QValueAxis;

namespace tbui {

class LiveChartView : public QChartView {
    Q_OBJECT
public:
    LiveChartView(const QString& title, const QString& x_title, const QString& y_title, QWidget* parent = nullptr);

    void clear();
    // Starts a new series (e.g. one per workload) that later points go to.
    void begin_series(const QString& name);
    void append(double x, double y);
    int point_count() const;
    // Points of the series begun last (0 before the first point).
    int current_series_points() const;

private:
    void grow_axes(double x, double y);

    QLineSeries* current_ = nullptr;
    QValueAxis* x_axis_ = nullptr;
    QValueAxis* y_axis_ = nullptr;
    double x_max_ = 0, y_max_ = 0;
    int points_ = 0;
};

}  // namespace tbui
