#include "ui/charts/live_chart_view.h"

#include <QLineSeries>
#include <QValueAxis>

#include "ui/charts/chart_style.h"

namespace tbui {

LiveChartView::LiveChartView(const QString& title, const QString& x_title, const QString& y_title, QWidget* parent)
    : QChartView(parent) {
    auto* chart = new QChart;
    apply_chart_style(chart);
    chart->setTitle(title);
    x_axis_ = new QValueAxis;
    y_axis_ = new QValueAxis;
    x_axis_->setTitleText(x_title);
    y_axis_->setTitleText(y_title);
    x_axis_->setLabelFormat("%g");
    y_axis_->setLabelFormat("%g");
    chart->addAxis(x_axis_, Qt::AlignBottom);
    chart->addAxis(y_axis_, Qt::AlignLeft);
    setChart(chart);
    apply_view_style(this);
    clear();
}

void LiveChartView::clear() {
    chart()->removeAllSeries();
    current_ = nullptr;
    x_max_ = y_max_ = 0;
    points_ = 0;
    x_axis_->setRange(0, 1);
    y_axis_->setRange(0, 1);
    chart()->legend()->setVisible(false);
}

void LiveChartView::begin_series(const QString& name) {
    current_ = new QLineSeries;
    current_->setName(name);
    current_->setPointsVisible(true);
    current_->setColor(series_color(name));
    chart()->addSeries(current_);
    current_->attachAxis(x_axis_);
    current_->attachAxis(y_axis_);
    chart()->legend()->setVisible(chart()->series().size() > 1);
}

void LiveChartView::append(double x, double y) {
    if (!current_) begin_series(chart()->title());
    current_->append(x, y);
    ++points_;
    grow_axes(x, y);
}

int LiveChartView::point_count() const { return points_; }

int LiveChartView::current_series_points() const { return current_ ? static_cast<int>(current_->count()) : 0; }

void LiveChartView::grow_axes(double x, double y) {
    // Grow in steps so the axes do not jump at every point.
    if (x > x_max_) {
        x_max_ = x;
        x_axis_->setRange(0, x_max_ * 1.1 + 1e-9);
        x_axis_->applyNiceNumbers();
    }
    if (y > y_max_) {
        y_max_ = y;
        y_axis_->setRange(0, y_max_ * 1.15 + 1e-9);
        y_axis_->applyNiceNumbers();
    }
}

}  // namespace tbui
