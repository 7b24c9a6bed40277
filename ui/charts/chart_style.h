#pragma once
// Shared look of every chart: theme follows the system palette (light or dark), readable
// fonts, one colour per implementation that stays the same across charts.
#include <QColor>
#include <QString>

class QChart;
class QChartView;

namespace tbui {

void apply_chart_style(QChart* chart);
void apply_view_style(QChartView* view);
QColor series_color(const QString& key);   // stable per key (implementation, run label)
QColor regression_color();

}  // namespace tbui
