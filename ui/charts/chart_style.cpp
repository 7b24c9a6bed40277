#include "ui/charts/chart_style.h"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QHash>
#include <QPalette>

namespace tbui {

void apply_chart_style(QChart* chart) {
    const bool dark = QApplication::palette().color(QPalette::Window).lightness() < 128;
    chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    chart->setAnimationOptions(QChart::NoAnimation);   // live data: animations lag behind
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->legend()->setAlignment(Qt::AlignBottom);
    QFont title = QApplication::font();
    title.setBold(true);
    chart->setTitleFont(title);
    chart->legend()->setFont(QApplication::font());
}

void apply_view_style(QChartView* view) {
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(240, 180);
}

QColor series_color(const QString& key) {
    // Colour-blind-friendly palette (Okabe-Ito), assigned in order of first use.
    static const QColor palette[] = {QColor(0x00, 0x72, 0xb2), QColor(0xe6, 0x9f, 0x00), QColor(0x00, 0x9e, 0x73),
                                     QColor(0xcc, 0x79, 0xa7), QColor(0x56, 0xb4, 0xe9), QColor(0xd5, 0x5e, 0x00),
                                     QColor(0xf0, 0xe4, 0x42), QColor(0x88, 0x88, 0x88)};
    static QHash<QString, int> assigned;
    auto it = assigned.find(key);
    if (it == assigned.end()) it = assigned.insert(key, static_cast<int>(assigned.size()));
    return palette[*it % static_cast<int>(std::size(palette))];
}

QColor regression_color() { return QColor(0xd0, 0x10, 0x10); }

}  // namespace tbui
