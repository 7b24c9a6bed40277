#pragma once
// Shared look of every chart: theme follows the system palette (light or dark), readable
// fonts, one colour per implementation that stays the same across charts.
#include <QColor>
#include <QString>

class QChart;
class QChartView;

namespace tbui {

void apply_chart_style(QChart* chart);
// Also keeps the legend's labels elided in the middle to the view's width (distinct endings stay).
void apply_view_style(QChartView* view);
// Sets every visible legend label to its series name elided in the middle, the labels sharing
// `width` pixels equally. apply_view_style's views do this on every resize and repaint.
void elide_legend_labels(QChart* chart, int width);
QColor series_color(const QString& key);   // stable per key (implementation, run label)
QColor regression_color();

}  // namespace tbui
