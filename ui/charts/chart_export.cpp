#include "ui/charts/chart_export.h"

#include <QChartView>
#include <QFileInfo>
#include <QPainter>
#include <QPixmap>
#include <QSvgGenerator>

namespace tbui {

QString save_chart_png(QChartView* view, const QString& path) {
    // Render at a sensible size even when the view is hidden (e.g. another page is shown).
    const QSize size = view->size().expandedTo(QSize(800, 450));
    const qreal dpr = view->devicePixelRatioF();
    QPixmap pixmap(size * dpr);
    pixmap.setDevicePixelRatio(dpr);
    pixmap.fill(view->palette().color(QPalette::Base));
    {
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        view->render(&painter, QRectF(QPointF(0, 0), QSizeF(size)), view->rect());
    }
    if (!pixmap.save(path, "PNG")) return QObject::tr("Could not write the image %1").arg(path);
    return {};
}

QString save_chart_svg(QChartView* view, const QString& path) {
    QSvgGenerator generator;
    generator.setFileName(path);
    generator.setSize(view->size());
    generator.setViewBox(view->rect());
    generator.setTitle(view->chart() ? view->chart()->title() : QString());
    generator.setDescription(QObject::tr("ternbench chart"));
    QPainter painter;
    if (!painter.begin(&generator)) return QObject::tr("Could not write the SVG file %1").arg(path);
    view->render(&painter);
    painter.end();
    if (!QFileInfo::exists(path)) return QObject::tr("Could not write the SVG file %1").arg(path);
    return {};
}

QString save_chart(QChartView* view, const QString& path) {
    if (path.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive)) return save_chart_svg(view, path);
    return save_chart_png(view, path);
}

}  // namespace tbui
