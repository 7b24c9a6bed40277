#pragma once
// Export from History and Compare through app/reports: Markdown (with the page's charts saved
// as PNG beside the report and linked from it), CSV (metrics + raw samples files) or JSON.
// Charts are rendered on the GUI thread; loading the runs and writing the files happen on the
// store worker.
#include <functional>
#include <optional>
#include <vector>

#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include "app/reports/export_writer.h"

class QChartView;
class QObject;
class QWidget;

namespace tbui {

class AppContext;

struct ExportJob {
    QString out_path;
    bench::ExportFormat format = bench::ExportFormat::Markdown;
    QString title = QStringLiteral("ternbench report");
    std::vector<int64_t> run_ids;
    // The reference: a run id, or none to use the store's pinned baseline (if any).
    std::optional<int64_t> baseline_run;
    QList<QPair<QString, QChartView*>> charts;   // (file stem suffix, view), Markdown only
};

// Format from the file name's extension (.md, .csv, .json); Markdown when unknown.
bench::ExportFormat export_format_for(const QString& path);

// done(paths written, error): exactly one of them is non-empty. Called on context's thread.
void export_report(AppContext* app, QObject* context, ExportJob job,
                   std::function<void(const QStringList& paths, const QString& error)> done);

// Asks for a file (Markdown/CSV/JSON) and exports; reports the outcome through the context's
// status and error signals.
void export_with_dialog(AppContext* app, QWidget* parent, ExportJob job);

// Adds "Save chart as PNG/SVG…" to the chart's context menu.
void install_chart_menu(QChartView* view);
// Asks for a file name and saves the chart; returns the error (empty on success or cancel).
QString save_chart_with_dialog(QChartView* view, QWidget* parent);

}  // namespace tbui
