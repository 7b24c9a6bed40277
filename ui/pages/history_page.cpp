#include "ui/pages/history_page.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include "app/reports/history_configs.h"
#include "ui/app/app_context.h"
#include "ui/charts/history_chart_view.h"
#include "ui/models/run_filter_proxy.h"
#include "ui/models/run_table_model.h"

namespace tbui {

namespace {
QComboBox* filter_combo(const QString& all) {
    auto* combo = new QComboBox;
    combo->addItem(all, QString());
    combo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    return combo;
}
}  // namespace

HistoryPage::HistoryPage(AppContext* context, QWidget* parent) : QWidget(parent), context_(context) {
    model_ = new RunTableModel(this);
    proxy_ = new RunFilterProxy(this);
    proxy_->set_source(model_);

    text_ = new QLineEdit;
    text_->setPlaceholderText(tr("Filter: model, implementation, host…"));
    text_->setClearButtonEnabled(true);
    workload_ = filter_combo(tr("All workloads"));
    implementation_ = filter_combo(tr("All implementations"));
    // Implementation names come from the store: a long one must not widen the window.
    implementation_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    implementation_->setMinimumContentsLength(20);
    status_ = filter_combo(tr("Any status"));
    count_ = new QLabel;
    auto* refresh = new QPushButton(QIcon(":/icons/refresh.svg"), tr("Reload"));
    auto* compare = new QPushButton(QIcon(":/icons/compare.svg"), tr("Compare selected"));
    compare->setToolTip(tr("Compare two or more selected runs; with one selected, compare it with the pinned baseline"));
    auto* pin = new QPushButton(QIcon(":/icons/pin.svg"), tr("Pin as baseline"));
    // Filters on one row, the count and the actions on the selection on the next: in one row
    // they left the filter field no room on a 1024 px screen.
    auto* filters = new QHBoxLayout;
    filters->addWidget(text_, 1);
    filters->addWidget(workload_);
    filters->addWidget(implementation_);
    filters->addWidget(status_);
    auto* actions = new QHBoxLayout;
    actions->addWidget(count_);
    actions->addStretch();
    actions->addWidget(refresh);
    actions->addWidget(pin);
    actions->addWidget(compare);

    table_ = new QTableView;
    table_->setModel(proxy_);
    table_->setSortingEnabled(true);
    table_->sortByColumn(RunTableModel::Date, Qt::DescendingOrder);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    table_->setAlternatingRowColors(true);
    table_->verticalHeader()->setVisible(false);
    table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 8);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    table_->setWordWrap(false);

    latency_chart_ = new HistoryChartView(HistoryChartView::Kind::Latency);
    throughput_chart_ = new HistoryChartView(HistoryChartView::Kind::Throughput);
    fidelity_chart_ = new HistoryChartView(HistoryChartView::Kind::Fidelity);
    method_ = new QLabel(tr("Red squares: regressions. Method: %1").arg(HistoryChartView::regression_method()));
    method_->setWordWrap(true);
    config_ = new QComboBox;
    config_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    config_->setMinimumContentsLength(40);
    config_->setToolTip(tr("Charts show one configuration at a time: model file, test and its sizes, threads and "
                           "speed settings. Runs of other configurations are not joined in a series."));
    auto* config_row = new QHBoxLayout;
    config_row->addWidget(new QLabel(tr("Charts for")));
    config_row->addWidget(config_, 1);
    auto* charts = new QWidget;
    auto* charts_layout = new QVBoxLayout(charts);
    charts_layout->setContentsMargins(0, 0, 0, 0);
    charts_layout->addLayout(config_row);
    auto* chart_row = new QSplitter(Qt::Horizontal);
    chart_row->addWidget(latency_chart_);
    chart_row->addWidget(throughput_chart_);
    chart_row->addWidget(fidelity_chart_);
    charts_layout->addWidget(chart_row, 1);
    charts_layout->addWidget(method_);

    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(table_);
    split->addWidget(charts);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addLayout(actions);
    layout->addWidget(split, 1);

    // Rebuilding charts over thousands of runs on every keystroke would stutter: debounce.
    chart_timer_ = new QTimer(this);
    chart_timer_->setSingleShot(true);
    chart_timer_->setInterval(150);
    connect(chart_timer_, &QTimer::timeout, this, &HistoryPage::rebuild_charts);
    connect(text_, &QLineEdit::textChanged, this, [this](const QString& t) { proxy_->set_text(t); });
    connect(workload_, &QComboBox::currentIndexChanged, this, [this] { proxy_->set_workload(workload_->currentData().toString()); });
    connect(implementation_, &QComboBox::currentIndexChanged, this,
            [this] { proxy_->set_implementation(implementation_->currentData().toString()); });
    connect(status_, &QComboBox::currentIndexChanged, this, [this] { proxy_->set_status(status_->currentData().toString()); });
    connect(config_, &QComboBox::currentIndexChanged, this, [this] { chart_timer_->start(); });
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(proxy_, signal, this, [this] { update_count(); chart_timer_->start(); });
    connect(proxy_, &QAbstractItemModel::modelReset, this, [this] { update_count(); chart_timer_->start(); });
    connect(proxy_, &QAbstractItemModel::layoutChanged, this, [this] { update_count(); chart_timer_->start(); });
    connect(refresh, &QPushButton::clicked, this, &HistoryPage::reload);
    connect(pin, &QPushButton::clicked, this, &HistoryPage::pin_selected);
    connect(compare, &QPushButton::clicked, this, [this] {
        const QList<qint64> ids = selected_run_ids();
        if (ids.isEmpty()) {
            emit context_->errorRaised(tr("Select one run (to compare with the pinned baseline) or several runs."));
            return;
        }
        emit context_->compareRequested(ids);
    });
    for (HistoryChartView* chart : {latency_chart_, throughput_chart_, fidelity_chart_})
        connect(chart, &HistoryChartView::runClicked, this, &HistoryPage::select_run);
    connect(context_, &AppContext::storeChanged, this, &HistoryPage::reload);
    connect(context_, &AppContext::runSelected, this, &HistoryPage::select_run);
    update_count();
    reload();
}

void HistoryPage::reload() {
    const quint64 generation = ++generation_;
    loading_ = true;
    context_->store().query(
        this,
        [](tbdb::RunStore& store) { return std::make_pair(store.list_runs(), store.baselines()); },
        [this, generation](std::pair<std::vector<tbdb::RunSummary>, std::vector<tbdb::Baseline>> result) {
            on_loaded(generation, std::move(result.first), std::move(result.second));
        },
        [this, generation](const QString& error) {
            if (generation != generation_) return;
            loading_ = false;
            emit context_->errorRaised(tr("Could not read the run history: %1").arg(error));
        });
}

void HistoryPage::on_loaded(quint64 generation, std::vector<tbdb::RunSummary> runs, std::vector<tbdb::Baseline> baselines) {
    if (generation != generation_) return;   // a newer reload is on its way
    const QList<qint64> selected = selected_run_ids();
    pinned_implementations_.clear();
    for (const auto& b : baselines)
        if (b.implementation) pinned_implementations_.insert(QString::fromStdString(*b.implementation));
    model_->set_runs(std::move(runs));
    refill_filter_choices();
    for (qint64 id : selected) select_run(id);
    table_->resizeColumnsToContents();
    loading_ = false;
    ++loads_;
    rebuild_charts();
    emit loaded(model_->rowCount());
}

void HistoryPage::refill_filter_choices() {
    const auto refill = [](QComboBox* combo, const QSet<QString>& values) {
        const QString current = combo->currentData().toString();
        QStringList sorted(values.begin(), values.end());
        sorted.sort();
        const QSignalBlocker block(combo);
        while (combo->count() > 1) combo->removeItem(1);
        for (const QString& v : sorted) combo->addItem(v, v);
        const int index = combo->findData(current);
        combo->setCurrentIndex(index < 0 ? 0 : index);
    };
    QSet<QString> workloads, impls, statuses;
    for (const auto& row : model_->rows()) {
        workloads.insert(QString::fromStdString(row.run.workload));
        impls.insert(QString::fromStdString(row.run.implementation));
        statuses.insert(QString::fromStdString(row.run.status));
    }
    refill(workload_, workloads);
    refill(implementation_, impls);
    refill(status_, statuses);
}

void HistoryPage::update_count() {
    count_->setText(tr("%1 of %2 runs").arg(proxy_->rowCount()).arg(model_->rowCount()));
}

void HistoryPage::rebuild_charts() {
    std::vector<const RunTableModel::Row*> rows;
    rows.reserve(static_cast<size_t>(proxy_->rowCount()));
    for (int i = 0; i < proxy_->rowCount(); ++i)
        rows.push_back(&model_->row_at(proxy_->mapToSource(proxy_->index(i, 0)).row()));

    // The configurations the filtered runs hold; keep the one shown if it is still there,
    // else the most recent.
    std::vector<bench::RunConfig> configs;
    std::vector<std::string> started;
    for (const auto* r : rows) {
        configs.push_back(r->config);
        started.push_back(r->run.started_at);
    }
    const auto choices = bench::configuration_choices(configs, started);
    const QString shown = config_->currentData().toString();
    {
        const QSignalBlocker block(config_);
        config_->clear();
        for (const auto& c : choices)
            config_->addItem(QString::fromStdString(c.label), QString::fromStdString(c.experiment_key));
        const int index = config_->findData(shown);
        config_->setCurrentIndex(index >= 0 ? index : (config_->count() > 0 ? 0 : -1));
        config_->setEnabled(config_->count() > 1);
    }
    const std::string key = config_->currentData().toString().toStdString();
    std::string workload;
    for (const auto& c : choices)
        if (c.experiment_key == key) workload = c.workload;
    std::vector<const RunTableModel::Row*> shown_rows;
    for (const auto* r : rows)
        if (r->config.experiment_key() == key) shown_rows.push_back(r);

    latency_chart_->set_runs(shown_rows, pinned_implementations_, workload);
    throughput_chart_->set_runs(shown_rows, pinned_implementations_, workload);
    fidelity_chart_->set_runs(shown_rows, pinned_implementations_, workload);
    // Only perplexity configurations have a fidelity figure; elsewhere the chart would be noise.
    fidelity_chart_->setVisible(fidelity_chart_->plotted_points() > 0);
    const int flagged = latency_chart_->regression_count() + throughput_chart_->regression_count() +
                        fidelity_chart_->regression_count();
    method_->setText(tr("%1 regression(s) flagged (red squares). Method: %2")
                         .arg(flagged)
                         .arg(HistoryChartView::regression_method()));
}

QStringList HistoryPage::chart_configurations() const {
    QStringList keys;
    for (int i = 0; i < config_->count(); ++i) keys << config_->itemData(i).toString();
    return keys;
}

QString HistoryPage::chart_configuration() const { return config_->currentData().toString(); }

void HistoryPage::set_chart_configuration(const QString& experiment_key) {
    const int index = config_->findData(experiment_key);
    if (index < 0) return;
    config_->setCurrentIndex(index);
    chart_timer_->stop();
    rebuild_charts();
}

QList<qint64> HistoryPage::selected_run_ids() const {
    QList<qint64> ids;
    if (!table_->selectionModel()) return ids;
    for (const QModelIndex& index : table_->selectionModel()->selectedRows())
        ids << index.data(RunTableModel::RunIdRole).toLongLong();
    std::sort(ids.begin(), ids.end());
    return ids;
}

QList<qint64> HistoryPage::export_run_ids() const {
    QList<qint64> ids = selected_run_ids();
    if (!ids.isEmpty()) return ids;
    for (int i = 0; i < proxy_->rowCount(); ++i) ids << proxy_->index(i, 0).data(RunTableModel::RunIdRole).toLongLong();
    std::sort(ids.begin(), ids.end());
    return ids;
}

void HistoryPage::select_run(qint64 run_id) {
    const int source_row = model_->row_of_run(run_id);
    if (source_row < 0) return;
    QModelIndex index = proxy_->mapFromSource(model_->index(source_row, 0));
    if (!index.isValid()) {   // filtered out: show it anyway
        text_->clear();
        workload_->setCurrentIndex(0);
        implementation_->setCurrentIndex(0);
        status_->setCurrentIndex(0);
        index = proxy_->mapFromSource(model_->index(source_row, 0));
    }
    table_->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    table_->scrollTo(index);
    table_->setCurrentIndex(index);
}

void HistoryPage::set_text_filter(const QString& text) { text_->setText(text); }

void HistoryPage::set_workload_filter(const QString& workload) {
    const int index = workload_->findData(workload);
    workload_->setCurrentIndex(index < 0 ? 0 : index);
}

void HistoryPage::pin_selected() {
    const QList<qint64> ids = selected_run_ids();
    if (ids.size() != 1) {
        emit context_->errorRaised(tr("Select exactly one run to pin as the baseline."));
        return;
    }
    const qint64 id = ids.front();
    context_->store().query(
        this, [id](tbdb::RunStore& store) { store.pin_run(id); return true; },
        [this, id](bool) {
            emit context_->statusMessage(tr("Run #%1 pinned as baseline.").arg(id));
            emit context_->storeChanged();
        },
        [this](const QString& error) { emit context_->errorRaised(tr("Could not pin the run: %1").arg(error)); });
}

}  // namespace tbui
