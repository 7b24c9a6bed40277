#pragma once
// Run page: the parameter form (run_form.h: model, workloads, parameters) beside the run
// itself: Start / Cancel; while running it shows progress with ETA per workload and overall,
// live charts of tok/s and per-request latency, the streamed text of the request being
// followed, and a log.
#include <QWidget>

#include "app/core/runner.h"
#include "db/run_record.h"

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace tbui {

class AppContext;
class LiveChartView;
class RunForm;

class RunPage : public QWidget {
    Q_OBJECT
public:
    explicit RunPage(AppContext* context, QWidget* parent = nullptr);

    // What to run: model, workloads and parameters (settings load/save, validation).
    RunForm* form() const { return form_; }
    bool running() const;

    LiveChartView* throughput_chart() const { return tok_s_chart_; }
    LiveChartView* latency_chart() const { return latency_chart_; }
    QString streamed_text() const;
    QString log_text() const;
    qint64 last_run_id() const { return last_run_id_; }

public slots:
    void start();
    void cancel();

signals:
    void runningChanged(bool running);
    void runFinished(qint64 run_id, const QString& status);

private:
    QWidget* build_controls();
    QWidget* build_monitor();
    void update_buttons();
    void append_log(const QString& line);
    void on_workload_started(quint64 job, int index, int count, qint64 run_id, const tbdb::RunRecord& run);
    void on_progress(quint64 job, int index, int count, const bench::Progress& p);
    void on_tokens(quint64 job, int request, const QString& text);
    void on_request_done(quint64 job, qint64 run_id, const tbdb::RequestRecord& r);
    void on_throughput(quint64 job, qint64 run_id, double t_s, double tok_s);
    void on_workload_finished(quint64 job, int index, const tbdb::RunRecord& run);
    void add_final_throughput_point(const tbdb::RunRecord& run);
    void on_job_failed(quint64 job, const QString& error);
    void on_job_finished(quint64 job, bool cancelled);

    AppContext* context_;
    quint64 job_ = 0;
    qint64 last_run_id_ = 0;
    int followed_request_ = -1;   // the request whose text is streamed
    int requests_seen_ = 0;
    double job_started_s_ = 0;

    RunForm* form_ = nullptr;
    QPushButton* start_button_ = nullptr;
    QPushButton* cancel_button_ = nullptr;

    QLabel* workload_label_ = nullptr;
    QProgressBar* workload_progress_ = nullptr;
    QLabel* overall_label_ = nullptr;
    QProgressBar* overall_progress_ = nullptr;
    LiveChartView* tok_s_chart_ = nullptr;
    LiveChartView* latency_chart_ = nullptr;
    QLabel* stream_title_ = nullptr;
    QPlainTextEdit* stream_ = nullptr;
    QPlainTextEdit* log_ = nullptr;
};

}  // namespace tbui
