#include "ui/app/report_export.h"

#include <QAction>
#include <QChart>
#include <QChartView>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>

#include <stdexcept>

#include "app/reports/baseline_resolve.h"
#include "ui/app/app_context.h"
#include "ui/charts/chart_export.h"

namespace tbui {

bench::ExportFormat export_format_for(const QString& path) {
    const QString ext = QFileInfo(path).suffix().toLower();
    if (ext == "csv") return bench::ExportFormat::Csv;
    if (ext == "json") return bench::ExportFormat::Json;
    return bench::ExportFormat::Markdown;
}

void export_report(AppContext* app, QObject* context, ExportJob job,
                   std::function<void(const QStringList&, const QString&)> done) {
    if (job.run_ids.empty()) {
        done({}, QObject::tr("Nothing to export: no runs selected or shown."));
        return;
    }
    // Charts beside a Markdown report: "<report>_<name>.png", linked relatively.
    std::vector<std::string> chart_links;
    QStringList chart_files;
    if (job.format == bench::ExportFormat::Markdown) {
        const QFileInfo out(job.out_path);
        for (const auto& [name, view] : job.charts) {
            const QString file = QStringLiteral("%1_%2.png").arg(out.completeBaseName(), name);
            const QString error = save_chart_png(view, out.dir().filePath(file));
            if (!error.isEmpty()) {
                done({}, error);
                return;
            }
            chart_links.push_back(file.toStdString());
            chart_files << out.dir().filePath(file);
        }
    }
    const std::string out_path = job.out_path.toStdString();
    app->store().query(
        context,
        [job = std::move(job), chart_links, out_path](tbdb::RunStore& store) {
            bench::ReportInput input;
            input.title = job.title.toStdString();
            input.chart_paths = chart_links;
            for (int64_t id : job.run_ids) {
                if (job.baseline_run && id == *job.baseline_run) continue;
                if (auto run = store.load_run(id)) input.runs.push_back(std::move(*run));
            }
            const bench::ResolvedBaseline base = bench::resolve_baseline(store, job.baseline_run);
            if (!base.ok()) throw std::runtime_error(base.error);
            input.baselines = base.runs;
            input.baseline_label = base.label;
            std::vector<std::string> written = bench::write_export(job.format, input, out_path);
            QStringList paths;
            for (const auto& p : written) paths << QString::fromStdString(p);
            return paths;
        },
        [done, chart_files](QStringList paths) { done(paths + chart_files, QString()); },
        [done](const QString& error) { done({}, error); });
}

void export_with_dialog(AppContext* app, QWidget* parent, ExportJob job) {
    QString filter;
    const QString path = QFileDialog::getSaveFileName(
        parent, QObject::tr("Export report"), QDir::home().filePath("ternbench-report.md"),
        QObject::tr("Markdown with chart PNGs (*.md);;CSV, metrics and raw samples (*.csv);;JSON (*.json)"), &filter);
    if (path.isEmpty()) return;
    QString out = path;
    if (QFileInfo(out).suffix().isEmpty()) {
        out += filter.contains("*.csv") ? ".csv" : filter.contains("*.json") ? ".json" : ".md";
    }
    job.out_path = out;
    job.format = export_format_for(out);
    export_report(app, parent, std::move(job), [app](const QStringList& paths, const QString& error) {
        if (!error.isEmpty()) emit app->errorRaised(QObject::tr("Export failed: %1").arg(error));
        else emit app->statusMessage(QObject::tr("Exported %1").arg(paths.join(", ")));
    });
}

QString save_chart_with_dialog(QChartView* view, QWidget* parent) {
    const QString path = QFileDialog::getSaveFileName(parent, QObject::tr("Save chart"), QDir::home().filePath("chart.png"),
                                                      QObject::tr("PNG image (*.png);;SVG vector image (*.svg)"));
    if (path.isEmpty()) return {};
    return save_chart(view, path);
}

void install_chart_menu(QChartView* view) {
    view->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto* action = new QAction(QObject::tr("Save chart as PNG/SVG…"), view);
    QObject::connect(action, &QAction::triggered, view, [view] {
        const QString error = save_chart_with_dialog(view, view);
        if (!error.isEmpty()) view->setToolTip(error);
    });
    view->addAction(action);
}

}  // namespace tbui
