#pragma once
// History page: every stored run in a sortable, filterable table (loaded once on the store
// worker, no per-row queries), and latency / throughput over time for ONE configuration of the
// filtered runs (model file, test and sizes, threads, settings; chosen from those the runs hold,
// the most recent by default), one series per implementation.
// Clicking a chart point selects its run; regressions are flagged with the method named.
#include <vector>

#include <QList>
#include <QSet>
#include <QWidget>

#include "db/run_store.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;
class QTimer;

namespace tbui {

class AppContext;
class HistoryChartView;
class RunFilterProxy;
class RunTableModel;

class HistoryPage : public QWidget {
    Q_OBJECT
public:
    explicit HistoryPage(AppContext* context, QWidget* parent = nullptr);

    RunTableModel* model() const { return model_; }
    RunFilterProxy* proxy() const { return proxy_; }
    QTableView* table() const { return table_; }
    HistoryChartView* latency_chart() const { return latency_chart_; }
    HistoryChartView* throughput_chart() const { return throughput_chart_; }
    // PPL and KLD of perplexity runs; hidden while the shown runs have none.
    HistoryChartView* fidelity_chart() const { return fidelity_chart_; }
    bool loading() const { return loading_; }
    int load_count() const { return loads_; }

    QList<qint64> selected_run_ids() const;
    // The runs an export covers: the selected ones, else every run the filter shows.
    QList<qint64> export_run_ids() const;
    void select_run(qint64 run_id);
    void set_text_filter(const QString& text);
    void set_workload_filter(const QString& workload);
    // The configurations the charts can show (experiment keys, newest first) and the shown one.
    QStringList chart_configurations() const;
    QString chart_configuration() const;
    void set_chart_configuration(const QString& experiment_key);

public slots:
    void reload();
    void rebuild_charts();

signals:
    void loaded(int runs);

private:
    void on_loaded(quint64 generation, std::vector<tbdb::RunSummary> runs, std::vector<tbdb::Baseline> baselines);
    void refill_filter_choices();
    void update_count();
    void pin_selected();

    AppContext* context_;
    RunTableModel* model_ = nullptr;
    RunFilterProxy* proxy_ = nullptr;
    QTableView* table_ = nullptr;
    QLineEdit* text_ = nullptr;
    QComboBox* workload_ = nullptr;
    QComboBox* implementation_ = nullptr;
    QComboBox* status_ = nullptr;
    QComboBox* config_ = nullptr;   // the configuration the charts show
    QLabel* count_ = nullptr;
    QLabel* method_ = nullptr;
    HistoryChartView* latency_chart_ = nullptr;
    HistoryChartView* throughput_chart_ = nullptr;
    HistoryChartView* fidelity_chart_ = nullptr;
    QTimer* chart_timer_ = nullptr;
    QSet<QString> pinned_implementations_;
    quint64 generation_ = 0;
    bool loading_ = false;
    int loads_ = 0;
};

}  // namespace tbui
