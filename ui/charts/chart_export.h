#pragma once
// "Save chart as PNG/SVG": renders a chart view to a file at its current size (PNG at the
// screen's device pixel ratio, SVG as vectors through QSvgGenerator).
#include <QString>

class QChartView;

namespace tbui {

// Empty on success, else a message naming the file and the problem.
QString save_chart_png(QChartView* view, const QString& path);
QString save_chart_svg(QChartView* view, const QString& path);
// By extension (.svg or anything else as PNG).
QString save_chart(QChartView* view, const QString& path);

}  // namespace tbui
