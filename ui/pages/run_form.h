#pragma once
// The Run page's parameter form: model (built-in demo model, a GGUF file, recent files), the
// workloads to run in sequence, every run parameter the command line has, the target (engine
// or an HTTP server) and perplexity. It checks what is typed, remembers the last form in the
// settings and turns itself into one BenchmarkSpec per checked workload. Starting and
// watching a run is the page's (run_page.h).
#include <cstdint>
#include <optional>
#include <vector>

#include <QWidget>

#include "app/core/benchmark_spec.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QVBoxLayout;

namespace tbui {

class EndpointTargetBox;
class ModelSourceBox;

class RunForm : public QWidget {
    Q_OBJECT
public:
    explicit RunForm(QWidget* parent = nullptr);

    // The specs the form describes, one per checked workload (not validated).
    std::vector<bench::BenchmarkSpec> specs() const;
    // Empty when every spec is valid, else the problems, one per line.
    QString validation_errors() const;
    // Checks the form again and shows the problems under it; returns them.
    QString validate();
    bool valid() const { return shown_errors_.isEmpty(); }   // as last checked

    void set_demo_model(const QString& preset, const QString& type = "i2_s", const QString& arch = "bitnet-b1.58");
    void set_demo_preset(const QString& preset);              // keeps type and arch
    void set_model_file(const QString& path);
    void set_workloads(const QStringList& names);
    void set_spec_values(const bench::BenchmarkSpec& spec);   // parameters (not workload/model)
    EndpointTargetBox* endpoint_target() const { return target_; }   // in-process or an HTTP server

    void save_settings() const;
    void load_settings();
    // A chosen GGUF file goes to the front of the recent models (called when a run starts).
    void remember_model();

signals:
    // After every change, once the shown problems are up to date.
    void validated(bool ok);

private:
    QWidget* build_workload_box();
    void build_parameter_sections(QVBoxLayout* layout);
    QWidget* build_perplexity_box();
    void browse_prompts();
    std::optional<uint64_t> seed_value() const;   // nullopt: not an integer a uint64 holds

    EndpointTargetBox* target_ = nullptr;
    ModelSourceBox* model_ = nullptr;
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
    QString shown_errors_;
};

}  // namespace tbui
