#pragma once
// The Baselines page's llama-server programs: any latency workload (single, stream, batch,
// server, scaling) run against a llama-server started for it ("Run baseline now"), stored as a
// legacy latency run beside the engine's (app/legacy/llama_server_baseline.h does the work).
#include <atomic>
#include <memory>
#include <thread>

#include <QGroupBox>

#include "app/legacy/llama_server_baseline.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace tbui {

class AppContext;

class ServerBaselineBox : public QGroupBox {
    Q_OBJECT
public:
    explicit ServerBaselineBox(AppContext* context, QWidget* parent = nullptr);
    ~ServerBaselineBox() override;  // cancels a running baseline and waits for its thread

    QPushButton* run_button() const { return run_now_; }
    void set_programs(const QStringList& paths);  // replaces the list and saves it
    void set_model(const QString& path);
    void set_workload(const QString& name);
    bench::LlamaServerRunSpec current_spec() const;
    void run_baseline();
    bool running() const { return thread_.joinable(); }
    QString last_summary() const { return last_; }

signals:
    void baselineFinished(bool ok);

private:
    void update_run_button();
    void on_done(const bench::LlamaServerRunOutcome& outcome, const QString& program);

    AppContext* context_;
    QListWidget* programs_ = nullptr;
    QPushButton* run_now_ = nullptr;
    QLineEdit* model_ = nullptr;
    QComboBox* workload_ = nullptr;
    QSpinBox* max_tokens_ = nullptr;
    QSpinBox* reps_ = nullptr;
    QSpinBox* concurrency_ = nullptr;
    QDoubleSpinBox* rate_ = nullptr;
    QDoubleSpinBox* duration_ = nullptr;
    QCheckBox* ignore_eos_ = nullptr;
    QCheckBox* forbid_bytes_ = nullptr;
    QLabel* result_ = nullptr;
    QString last_;
    std::thread thread_;
    std::shared_ptr<std::atomic<bool>> cancel_;
};

}  // namespace tbui
