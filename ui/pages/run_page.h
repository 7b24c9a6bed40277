#pragma once
// Run page: choose a model (the built-in demo model by default, a GGUF file, recent files),
// one or more workloads (run in sequence) and their parameters; Start / Cancel; while running
// it shows progress with ETA per workload and overall, live charts of tok/s and per-request
// latency, the streamed text of the request being followed, and a log.
#include <cstdint>
#include <optional>
#include <vector>

#include <QWidget>

#include "app/core/benchmark_spec.h"
#include "app/core/runner.h"
#include "db/run_record.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;
class QSpinBox;

namespace tbui {

class EndpointTargetBox;

class AppContext;
class LiveChartView;

class RunPage : public QWidget {
    Q_OBJECT
public:
    explicit RunPage(AppContext* context, QWidget* parent = nullptr);

    // The specs the form describes, one per checked workload (not validated).
    std::vector<bench::BenchmarkSpec> specs() const;
    // Empty when every spec is valid, else the problems, one per line.
    QString validation_errors() const;
    bool running() const;

    // Form access for tests and persistence.
    void set_demo_model(const QString& preset, const QString& type = "i2_s", const QString& arch = "bitnet-b1.58");
    void set_demo_preset(const QString& preset);              // keeps type and arch
    void set_model_file(const QString& path);
    void set_workloads(const QStringList& names);
    void set_spec_values(const bench::BenchmarkSpec& spec);   // parameters (not workload/model)
    LiveChartView* throughput_chart() const { return tok_s_chart_; }
    LiveChartView* latency_chart() const { return latency_chart_; }
    QString streamed_text() const;
    QString log_text() const;
    qint64 last_run_id() const { return last_run_id_; }

    void save_settings() const;
    void load_settings();
    EndpointTargetBox* endpoint_target() const { return target_; }   // in-process or an HTTP server

public slots:
    void start();
    void cancel();

signals:
    void runningChanged(bool running);
    void runFinished(qint64 run_id, const QString& status);

private:
    QWidget* build_form();
    QWidget* build_perplexity_box();
    QWidget* build_monitor();
    void update_validation();
    void update_buttons();
    void browse_model();
    void browse_prompts();
    std::optional<uint64_t> seed_value() const;   // nullopt: not an integer a uint64 holds
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

    EndpointTargetBox* target_ = nullptr;
    QRadioButton* demo_radio_ = nullptr;
    QRadioButton* file_radio_ = nullptr;
    QComboBox* preset_ = nullptr;
    QComboBox* demo_type_ = nullptr;
    QComboBox* demo_arch_ = nullptr;
    QLineEdit* model_path_ = nullptr;
    QComboBox* recent_ = nullptr;
    std::vector<QCheckBox*> workload_boxes_;
    QComboBox* kernel_ = nullptr;
    QSpinBox* threads_ = nullptr;
    QComboBox* kv_type_ = nullptr;
    QSpinBox* n_ctx_ = nullptr;
    QSpinBox* repetitions_ = nullptr;
    QSpinBox* warmup_ = nullptr;
    QSpinBox* concurrency_ = nullptr;
    QSpinBox* max_tokens_ = nullptr;
    QLineEdit* prompts_file_ = nullptr;
    QSpinBox* n_prompt_ = nullptr;
    QSpinBox* n_gen_ = nullptr;
    QDoubleSpinBox* temperature_ = nullptr;
    QDoubleSpinBox* top_p_ = nullptr;
    QSpinBox* top_k_ = nullptr;
    QLineEdit* seed_ = nullptr;
    QDoubleSpinBox* arrival_rate_ = nullptr;
    QDoubleSpinBox* duration_ = nullptr;
    QDoubleSpinBox* slo_ttft_ = nullptr;
    QDoubleSpinBox* slo_tpot_ = nullptr;
    QLineEdit* sweep_threads_ = nullptr;
    QLineEdit* sweep_concurrency_ = nullptr;
    // perplexity
    QLineEdit* ppl_text_ = nullptr;
    QSpinBox* ppl_ctx_ = nullptr;
    QSpinBox* ppl_chunks_ = nullptr;
    QLineEdit* kl_base_ = nullptr;
    QLineEdit* write_kl_base_ = nullptr;
    QLabel* validation_ = nullptr;
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
