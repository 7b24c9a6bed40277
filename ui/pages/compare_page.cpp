#include "ui/pages/compare_page.h"

#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QToolTip>
#include <QVBoxLayout>

#include "app/reports/baseline_resolve.h"
#include "ui/app/app_context.h"
#include "ui/charts/chart_style.h"
#include "ui/charts/compare_charts.h"
#include "ui/models/compare_model.h"

namespace tbui {

namespace {
QChartView* make_chart_view() {
    auto* chart = new QChart;
    apply_chart_style(chart);
    auto* view = new QChartView(chart);
    apply_view_style(view);
    return view;
}
}  // namespace

ComparePage::ComparePage(AppContext* context, QWidget* parent) : QWidget(parent), context_(context) {
    model_ = new CompareModel(this);
    auto* sorted = new QSortFilterProxyModel(this);
    sorted->setSourceModel(model_);
    sorted->setSortRole(CompareModel::SortRole);
    header_ = new QLabel(tr("Select two or more runs in History and press “Compare selected” "
                            "(one run alone is compared with the pinned baseline)."));
    header_->setWordWrap(true);
    table_ = new QTableView;
    table_->setModel(sorted);
    table_->setSortingEnabled(true);
    table_->sortByColumn(-1, Qt::AscendingOrder);   // keep the metrics in the run's order until asked
    table_->verticalHeader()->setVisible(false);
    table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 8);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setAlternatingRowColors(true);
    table_->setWordWrap(false);
    method_ = new QLabel;
    method_->setWordWrap(true);
    bars_ = make_chart_view();
    cdf_ = make_chart_view();
    fill_relative_bar_chart(bars_->chart(), {});
    fill_latency_cdf_chart(cdf_->chart(), {});
    ttft_cdf_ = make_chart_view();
    itl_cdf_ = make_chart_view();
    fill_latency_cdf_chart(ttft_cdf_->chart(), {}, LatencyQuantity::TTFT);
    fill_latency_cdf_chart(itl_cdf_->chart(), {}, LatencyQuantity::ITL);
    // E2E, TTFT and ITL distributions side by side as tabs (legacy latency runs beside the engine's).
    auto* cdf_tabs = new QTabWidget;
    cdf_tabs->addTab(cdf_, tr("E2E"));
    cdf_tabs->addTab(ttft_cdf_, tr("TTFT"));
    cdf_tabs->addTab(itl_cdf_, tr("ITL"));

    auto* charts = new QSplitter(Qt::Horizontal);
    charts->addWidget(bars_);
    charts->addWidget(cdf_tabs);
    // Half each: the bars carry three category labels and a legend, the CDF one axis.
    charts->setSizes({1, 1});
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(table_);
    split->addWidget(charts);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(header_);
    layout->addWidget(split, 1);
    layout->addWidget(method_);
    connect(context_, &AppContext::compareRequested, this, &ComparePage::compare);
}

void ComparePage::compare(const QList<qint64>& run_ids) {
    const quint64 generation = ++generation_;
    loading_ = true;
    header_->setText(tr("Loading %1 run(s)…").arg(run_ids.size()));
    std::vector<int64_t> ids(run_ids.begin(), run_ids.end());
    context_->store().query(
        this,
        [ids](tbdb::RunStore& store) {
            bench::CompareSelection selection = bench::select_compare_runs(store, ids);
            return std::make_pair(std::move(selection.runs), QString::fromStdString(selection.note));
        },
        [this, generation](std::pair<std::vector<tbdb::RunRecord>, QString> result) {
            on_loaded(generation, std::move(result.first), result.second);
        },
        [this, generation](const QString& error) {
            if (generation != generation_) return;
            loading_ = false;
            header_->setText(tr("Could not load the runs: %1").arg(error));
            emit context_->errorRaised(tr("Could not load the runs to compare: %1").arg(error));
        });
}

void ComparePage::on_loaded(quint64 generation, std::vector<tbdb::RunRecord> runs, QString note) {
    if (generation != generation_) return;
    runs_ = std::move(runs);
    bench::CompareTable table = bench::build_compare_table(runs_);
    method_->setText(QString::fromStdString(table.method));
    std::vector<std::string> warnings = table.configuration_warnings;
    warnings.insert(warnings.end(), table.busy_warnings.begin(), table.busy_warnings.end());
    model_->set_table(std::move(table));
    table_->resizeColumnsToContents();
    fill_relative_bar_chart(bars_->chart(), runs_);
    fill_latency_cdf_chart(cdf_->chart(), runs_);
    fill_latency_cdf_chart(ttft_cdf_->chart(), runs_, LatencyQuantity::TTFT);
    fill_latency_cdf_chart(itl_cdf_->chart(), runs_, LatencyQuantity::ITL);
    for (QChartView* view : {bars_, cdf_, ttft_cdf_, itl_cdf_}) elide_legend_labels(view->chart(), view->width());
    for (QAbstractSeries* s : bars_->chart()->series()) {
        auto* bars = qobject_cast<QBarSeries*>(s);
        if (!bars) continue;
        connect(bars, &QBarSeries::hovered, this, [this](bool state, int index, QBarSet* set) {
            if (!state) { QToolTip::hideText(); return; }
            QToolTip::showText(QCursor::pos(), tr("%1\n%2× the reference").arg(set->label()).arg(set->at(index), 0, 'f', 3), bars_);
        });
    }
    QString text;
    if (runs_.size() >= 2) text = tr("Reference: %1. Ratios are run / reference.").arg(QString::fromStdString(bench::compare_run_label(runs_[0])));
    else text = tr("Need two runs to compare.");
    for (const std::string& warning : warnings)
        if (!warning.empty()) text += QStringLiteral(" ⚠ ") + QString::fromStdString(warning) + QStringLiteral(".");
    if (!note.isEmpty()) text += QStringLiteral(" ") + note.trimmed();
    header_->setText(text);
    loading_ = false;
    emit loaded();
}

}  // namespace tbui
