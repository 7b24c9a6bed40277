#include "ui/charts/chart_style.h"

#include <algorithm>

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QEvent>
#include <QFontMetrics>
#include <QHash>
#include <QBarLegendMarker>
#include <QBarSet>
#include <QLegendMarker>
#include <QPalette>

namespace tbui {

namespace {

// What a legend entry stands for: its bar set's label, or its series' name.
QString full_label(QLegendMarker* m) {
    if (m->type() == QLegendMarker::LegendMarkerTypeBar) return static_cast<QBarLegendMarker*>(m)->barset()->label();
    return m->series()->name();
}

// Qt cuts a legend label that does not fit at its end, so "ternbench/avx512" and
// "ternbench/avx2" both become "ternbench/...". This elides every visible label in the middle
// instead, to an equal share of the legend's width, whenever the view is resized or repainted
// (series come and go on the same view); the series keep their full names.
class LegendElider : public QObject {
public:
    explicit LegendElider(QChartView* view) : QObject(view), view_(view) {}

    bool eventFilter(QObject*, QEvent* event) override {
        if (event->type() == QEvent::Resize || event->type() == QEvent::Paint) elide_legend_labels(view_->chart(), view_->width());
        return false;
    }

private:
    QChartView* view_;
};

}  // namespace

void elide_legend_labels(QChart* chart, int width) {
    if (!chart || !chart->legend()->isVisible()) return;
    std::vector<QLegendMarker*> shown;
    for (QLegendMarker* m : chart->legend()->markers())
        if (m->isVisible() && m->series()) shown.push_back(m);
    if (shown.empty()) return;
    const QFontMetrics fm(chart->legend()->font());
    // Each entry also holds its colour mark and the gaps around it.
    const int overhead = fm.height() + 2 * fm.horizontalAdvance(' ') + 8;
    int left = width - 24 - overhead * static_cast<int>(shown.size());
    // Short names keep their full width; the rest share what is left equally.
    std::sort(shown.begin(), shown.end(), [&](QLegendMarker* a, QLegendMarker* b) {
        return fm.horizontalAdvance(full_label(a)) < fm.horizontalAdvance(full_label(b));
    });
    for (size_t i = 0; i < shown.size(); ++i) {
        const QString name = full_label(shown[i]);
        const int share = std::max(left / static_cast<int>(shown.size() - i), fm.horizontalAdvance(QStringLiteral("m…m")));
        const QString label = fm.elidedText(name, Qt::ElideMiddle, share);
        left -= fm.horizontalAdvance(label);
        if (shown[i]->label() != label) shown[i]->setLabel(label);
    }
}

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
    auto* elider = new LegendElider(view);
    view->installEventFilter(elider);
    view->viewport()->installEventFilter(elider);
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
