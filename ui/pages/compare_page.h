#pragma once
// Compare page: two or more runs (or one run and the pinned baseline) side by side: every
// metric, ratio to the reference with its 95% CI and Mann-Whitney significance (app/stats),
// a grouped bar chart of the key figures and the overlaid latency CDFs.
#include <vector>

#include <QList>
#include <QWidget>

#include "db/run_record.h"

class QChartView;
class QLabel;
class QTableView;

namespace tbui {

class AppContext;
class CompareModel;

class ComparePage : public QWidget {
    Q_OBJECT
public:
    explicit ComparePage(AppContext* context, QWidget* parent = nullptr);

    // Loads the runs (the first is the reference). One id alone: compared with the pinned baseline.
    void compare(const QList<qint64>& run_ids);
    CompareModel* model() const { return model_; }
    const std::vector<tbdb::RunRecord>& runs() const { return runs_; }
    QChartView* bar_chart() const { return bars_; }
    QChartView* cdf_chart() const { return cdf_; }
    QChartView* ttft_cdf_chart() const { return ttft_cdf_; }
    QChartView* itl_cdf_chart() const { return itl_cdf_; }
    bool loading() const { return loading_; }

signals:
    void loaded();

private:
    void on_loaded(quint64 generation, std::vector<tbdb::RunRecord> runs, QString note);

    AppContext* context_;
    std::vector<tbdb::RunRecord> runs_;
    CompareModel* model_ = nullptr;
    QTableView* table_ = nullptr;
    QLabel* header_ = nullptr;
    QLabel* method_ = nullptr;
    QChartView* bars_ = nullptr;
    QChartView* cdf_ = nullptr;
    QChartView* ttft_cdf_ = nullptr;
    QChartView* itl_cdf_ = nullptr;
    quint64 generation_ = 0;
    bool loading_ = false;
};

}  // namespace tbui
