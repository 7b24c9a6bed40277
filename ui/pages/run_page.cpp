#include "ui/pages/run_page.h"

#include <algorithm>
#include <limits>
#include <optional>

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QRegularExpression>
#include <QRegularExpressionValidator>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

#include "app/core/engine_options.h"
#include "app/core/int_list.h"
#include "app/core/run_checks.h"
#include "engine/demo/demo_model.h"
#include "ui/app/app_context.h"
#include "ui/app/app_settings.h"
#include "ui/charts/live_chart_view.h"
#include "ui/pages/endpoint_target_box.h"

namespace tbui {

namespace {

QString format_duration(double s) {
    if (s < 0) return QObject::tr("unknown");
    const int total = static_cast<int>(s + 0.5);
    if (total < 60) return QObject::tr("%1 s").arg(total);
    if (total < 3600) return QObject::tr("%1 min %2 s").arg(total / 60).arg(total % 60);
    return QObject::tr("%1 h %2 min").arg(total / 3600).arg((total % 3600) / 60);
}

double now_s() { return static_cast<double>(QDateTime::currentMSecsSinceEpoch()) / 1000.0; }

QSpinBox* spin(int min, int max, int value, const QString& special = {}) {
    auto* s = new QSpinBox;
    s->setRange(min, max);
    s->setValue(value);
    if (!special.isEmpty()) s->setSpecialValueText(special);
    return s;
}

QComboBox* combo(const std::vector<std::string>& items) {
    auto* c = new QComboBox;
    for (const auto& item : items) c->addItem(QString::fromStdString(item));
    return c;
}

// A titled group of label/field rows in the form.
QFormLayout* add_section(QVBoxLayout* form, const QString& title) {
    auto* box = new QGroupBox(title);
    auto* rows = new QFormLayout(box);
    form->addWidget(box);
    return rows;
}

QDoubleSpinBox* dspin(double min, double max, double value, int decimals, double step) {
    auto* s = new QDoubleSpinBox;
    s->setRange(min, max);
    s->setDecimals(decimals);
    s->setSingleStep(step);
    s->setValue(value);
    return s;
}

}  // namespace

RunPage::RunPage(AppContext* context, QWidget* parent) : QWidget(parent), context_(context) {
    auto* splitter = new QSplitter(Qt::Horizontal);
    auto* form_scroll = new QScrollArea;
    form_scroll->setWidget(build_form());
    form_scroll->setWidgetResizable(true);
    form_scroll->setFrameShape(QFrame::NoFrame);
    form_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    form_scroll->setMinimumWidth(form_scroll->widget()->sizeHint().width() + 24);
    splitter->addWidget(form_scroll);
    splitter->addWidget(build_monitor());
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    RunController* runs = &context_->runs();
    connect(runs, &RunController::workloadStarted, this, &RunPage::on_workload_started);
    connect(runs, &RunController::progress, this, &RunPage::on_progress);
    connect(runs, &RunController::tokens, this, &RunPage::on_tokens);
    connect(runs, &RunController::requestDone, this, &RunPage::on_request_done);
    connect(runs, &RunController::throughput, this, &RunPage::on_throughput);
    connect(runs, &RunController::logLine, this, [this](quint64 job, const QString& line) {
        if (job == job_) append_log(line);
    });
    connect(runs, &RunController::workloadFinished, this, &RunPage::on_workload_finished);
    connect(runs, &RunController::jobFailed, this, &RunPage::on_job_failed);
    connect(runs, &RunController::jobFinished, this, &RunPage::on_job_finished);
    update_validation();
    update_buttons();
}

QWidget* RunPage::build_form() {
    auto* form = new QWidget;
    auto* layout = new QVBoxLayout(form);

    // Model.
    auto* model_box = new QGroupBox(tr("Model"));
    auto* model_layout = new QGridLayout(model_box);
    demo_radio_ = new QRadioButton(tr("Built-in demo model"));
    file_radio_ = new QRadioButton(tr("GGUF file"));
    auto* group = new QButtonGroup(this);
    group->addButton(demo_radio_);
    group->addButton(file_radio_);
    demo_radio_->setChecked(true);
    preset_ = combo(tern::demo_presets());
    preset_->setCurrentText(QString::fromStdString(bench::BenchmarkSpec{}.demo_preset));
    preset_->setToolTip(tr("Shape preset: tiny (tests), small (~100M), 700m, 1b3, 2b. Generated deterministically "
                           "into the cache on first use."));
    demo_type_ = combo(tern::demo_types());
    demo_type_->setObjectName("demoTypeCombo");
    demo_type_->setToolTip(tr("f16: the same ternary values as floats (a KL base for the ternary types of the "
                              "same seed)"));
    demo_arch_ = combo(tern::demo_archs());
    demo_arch_->setObjectName("demoArchCombo");
    model_path_ = new QLineEdit;
    model_path_->setPlaceholderText(tr("path/to/model.gguf"));
    auto* browse = new QPushButton(tr("Browse…"));
    recent_ = new QComboBox;
    recent_->setPlaceholderText(tr("Recent models"));
    model_layout->addWidget(demo_radio_, 0, 0, 1, 3);
    auto* demo_row = new QHBoxLayout;
    demo_row->addWidget(new QLabel(tr("Preset")));
    demo_row->addWidget(preset_);
    demo_row->addWidget(new QLabel(tr("Type")));
    demo_row->addWidget(demo_type_);
    demo_row->addWidget(new QLabel(tr("Arch")));
    demo_row->addWidget(demo_arch_);
    demo_row->addStretch();
    model_layout->addLayout(demo_row, 1, 0, 1, 3);
    model_layout->addWidget(file_radio_, 2, 0, 1, 3);
    model_layout->addWidget(model_path_, 3, 0, 1, 2);
    model_layout->addWidget(browse, 3, 2);
    model_layout->addWidget(recent_, 4, 0, 1, 3);
    layout->addWidget(model_box);
    connect(browse, &QPushButton::clicked, this, &RunPage::browse_model);
    connect(recent_, &QComboBox::activated, this, [this](int index) {
        if (index >= 0) set_model_file(recent_->itemText(index));
    });
    connect(model_path_, &QLineEdit::textEdited, this, [this] { file_radio_->setChecked(true); });

    // Workloads.
    auto* workload_box = new QGroupBox(tr("Workloads (run in sequence)"));
    auto* workload_layout = new QGridLayout(workload_box);
    int i = 0;
    for (const auto& name : bench::workload_names()) {
        auto* box = new QCheckBox(QString::fromStdString(name));
        box->setChecked(name == "single");
        workload_boxes_.push_back(box);
        workload_layout->addWidget(box, i / 3, i % 3);
        connect(box, &QCheckBox::toggled, this, [this] { update_validation(); });
        ++i;
    }
    layout->addWidget(workload_box);

    // Parameters, one group per concern, defaults from BenchmarkSpec.
    const bench::BenchmarkSpec d;
    kernel_ = combo(bench::kernel_choices());
    kernel_->setObjectName("kernelCombo");
    kernel_->setToolTip(tr("Kernel sets the engine has and this CPU supports; auto picks the best."));
    threads_ = spin(0, bench::max_threads(), d.threads, tr("physical cores"));
    kv_type_ = combo(bench::kv_type_names());
    kv_type_->setCurrentText(QString::fromLatin1(bench::kv_type_name(d.kv_type)));
    kv_type_->setToolTip(tr("f16 as llama-bench (half the attention reads), f32 the engine's reference."));
    n_ctx_ = spin(0, 1 << 20, static_cast<int>(d.n_ctx), tr("engine default"));
    n_ctx_->setToolTip(tr("Tokens per sequence; the default is the model's training context, at most 4096."));
    auto* engine = add_section(layout, tr("Engine"));
    engine->addRow(tr("Kernel"), kernel_);
    engine->addRow(tr("Threads"), threads_);
    engine->addRow(tr("KV cache"), kv_type_);
    engine->addRow(tr("Context size"), n_ctx_);

    repetitions_ = spin(1, 100000, d.repetitions);
    warmup_ = spin(0, 1000, d.warmup);
    auto* measurement = add_section(layout, tr("Measurement"));
    measurement->addRow(tr("Repetitions"), repetitions_);
    measurement->addRow(tr("Warm-up"), warmup_);

    max_tokens_ = spin(0, 1 << 20, d.max_tokens, tr("workload default"));
    prompts_file_ = new QLineEdit;
    prompts_file_->setObjectName("promptsFileEdit");
    prompts_file_->setPlaceholderText(tr("built-in prompts"));
    prompts_file_->setToolTip(tr("One prompt per line, or JSONL with \"prompt\" or \"text\"."));
    auto* browse_prompts = new QPushButton(tr("Browse…"));
    auto* prompts_row = new QHBoxLayout;
    prompts_row->addWidget(prompts_file_, 1);
    prompts_row->addWidget(browse_prompts);
    temperature_ = dspin(0, 10, d.temperature, 2, 0.05);
    top_p_ = dspin(0, 1, d.top_p, 2, 0.05);
    top_k_ = spin(0, 1 << 20, d.top_k, tr("off"));
    seed_ = new QLineEdit(QString::number(d.seed));
    seed_->setObjectName("seedEdit");
    seed_->setValidator(new QRegularExpressionValidator(QRegularExpression("[0-9]{1,20}"), seed_));
    seed_->setToolTip(tr("Sampling seed, 0 to 18446744073709551615."));
    auto* requests = add_section(layout, tr("Requests"));
    requests->addRow(tr("Max new tokens"), max_tokens_);
    requests->addRow(tr("Prompts file"), prompts_row);
    requests->addRow(tr("Temperature"), temperature_);
    requests->addRow(tr("Top-p"), top_p_);
    requests->addRow(tr("Top-k"), top_k_);
    requests->addRow(tr("Seed"), seed_);
    connect(browse_prompts, &QPushButton::clicked, this, &RunPage::browse_prompts);

    n_prompt_ = spin(1, 1 << 20, d.n_prompt);
    n_gen_ = spin(1, 1 << 20, d.n_gen);
    auto* llama_bench = add_section(layout, tr("pp / tg (as llama-bench)"));
    llama_bench->addRow(tr("Prompt tokens (pp)"), n_prompt_);
    llama_bench->addRow(tr("Generated tokens (tg)"), n_gen_);

    concurrency_ = spin(1, bench::max_concurrency(), d.concurrency);
    arrival_rate_ = dspin(0, 1e6, d.arrival_rate, 2, 0.5);
    duration_ = dspin(0, 1e6, d.duration_s, 1, 1);
    slo_ttft_ = dspin(0, 1e7, d.slo_ttft_ms, 0, 100);
    slo_tpot_ = dspin(0, 1e7, d.slo_tpot_ms, 0, 10);
    auto* serving = add_section(layout, tr("Batch / server"));
    serving->addRow(tr("Concurrency"), concurrency_);
    serving->addRow(tr("Arrival rate (server, req/s)"), arrival_rate_);
    serving->addRow(tr("Duration (server, s)"), duration_);
    serving->addRow(tr("SLO TTFT (ms)"), slo_ttft_);
    serving->addRow(tr("SLO TPOT (ms)"), slo_tpot_);

    sweep_threads_ = new QLineEdit;
    sweep_threads_->setObjectName("sweepThreadsEdit");
    sweep_threads_->setPlaceholderText(tr("1 … physical cores"));
    sweep_concurrency_ = new QLineEdit;
    sweep_concurrency_->setObjectName("sweepConcurrencyEdit");
    sweep_concurrency_->setPlaceholderText(tr("1,2,4,8"));
    auto* scaling = add_section(layout, tr("Scaling"));
    scaling->addRow(tr("Thread counts"), sweep_threads_);
    scaling->addRow(tr("Concurrencies"), sweep_concurrency_);

    target_ = new EndpointTargetBox;
    layout->addWidget(target_);
    connect(target_, &EndpointTargetBox::changed, this, [this] { update_validation(); });
    for (QSpinBox* s : {threads_, n_ctx_, repetitions_, warmup_, concurrency_, max_tokens_, n_prompt_, n_gen_, top_k_})
        connect(s, &QSpinBox::valueChanged, this, [this] { update_validation(); });
    for (QDoubleSpinBox* s : {temperature_, top_p_, arrival_rate_, duration_, slo_ttft_, slo_tpot_})
        connect(s, &QDoubleSpinBox::valueChanged, this, [this] { update_validation(); });
    layout->addWidget(build_perplexity_box());
    for (QLineEdit* e : {model_path_, prompts_file_, seed_, sweep_threads_, sweep_concurrency_})
        connect(e, &QLineEdit::textChanged, this, [this] { update_validation(); });
    connect(demo_radio_, &QRadioButton::toggled, this, [this] { update_validation(); });

    validation_ = new QLabel;
    validation_->setWordWrap(true);
    validation_->setStyleSheet("color: #c03030;");
    layout->addWidget(validation_);
    auto* buttons = new QHBoxLayout;
    start_button_ = new QPushButton(QIcon(":/icons/start.svg"), tr("Start"));
    start_button_->setObjectName("startButton");
    start_button_->setToolTip(tr("Start the checked workloads (Ctrl+R)"));
    cancel_button_ = new QPushButton(QIcon(":/icons/cancel.svg"), tr("Cancel"));
    cancel_button_->setObjectName("cancelButton");
    cancel_button_->setToolTip(tr("Cancel; what was measured so far is kept (Esc)"));
    buttons->addWidget(start_button_);
    buttons->addWidget(cancel_button_);
    layout->addLayout(buttons);
    layout->addStretch();
    connect(start_button_, &QPushButton::clicked, this, &RunPage::start);
    connect(cancel_button_, &QPushButton::clicked, this, &RunPage::cancel);
    return form;
}

QWidget* RunPage::build_perplexity_box() {
    auto* box = new QGroupBox(tr("Perplexity / KL divergence"));
    box->setObjectName("perplexityBox");
    box->setToolTip(tr("llama-perplexity's method: each chunk of ctx tokens from an empty cache, the second half "
                       "scored. A KL base (llama-perplexity --kl-divergence-base, or one written here) compares "
                       "every scored position with another implementation, kernel or weight type."));
    auto* form = new QFormLayout(box);
    auto file_row = [this](QLineEdit* edit, const QString& title, bool save) {
        auto* row = new QHBoxLayout;
        auto* browse = new QPushButton(tr("Browse…"));
        row->addWidget(edit, 1);
        row->addWidget(browse);
        connect(browse, &QPushButton::clicked, this, [this, edit, title, save] {
            const QString dir = QFileInfo(edit->text()).path();
            const QString path = save ? QFileDialog::getSaveFileName(this, title, dir, tr("KL base (*.kld);;All files (*)"))
                                      : QFileDialog::getOpenFileName(this, title, dir);
            if (!path.isEmpty()) edit->setText(path);
        });
        connect(edit, &QLineEdit::textChanged, this, [this] { update_validation(); });
        return row;
    };
    ppl_text_ = new QLineEdit;
    ppl_text_->setPlaceholderText(tr("built-in text"));
    kl_base_ = new QLineEdit;
    kl_base_->setPlaceholderText(tr("none"));
    write_kl_base_ = new QLineEdit;
    write_kl_base_->setPlaceholderText(tr("none"));
    // 128 by default here: the built-in text holds a few chunks of it (the CLI's default is
    // llama-perplexity's 512).
    ppl_ctx_ = spin(0, 1 << 20, 128, tr("512 / the base's"));
    ppl_chunks_ = spin(0, 1 << 20, 0, tr("all"));
    form->addRow(tr("Text"), file_row(ppl_text_, tr("Choose a text file"), false));
    form->addRow(tr("Context (tokens per chunk)"), ppl_ctx_);
    form->addRow(tr("Chunks"), ppl_chunks_);
    form->addRow(tr("KL base to compare with"), file_row(kl_base_, tr("Choose a KL base file"), false));
    form->addRow(tr("Write KL base"), file_row(write_kl_base_, tr("Write a KL base file"), true));
    for (QSpinBox* sb : {ppl_ctx_, ppl_chunks_})
        connect(sb, &QSpinBox::valueChanged, this, [this] { update_validation(); });
    return box;
}

QWidget* RunPage::build_monitor() {
    auto* monitor = new QWidget;
    auto* layout = new QVBoxLayout(monitor);
    workload_label_ = new QLabel(tr("Idle"));
    workload_progress_ = new QProgressBar;
    overall_label_ = new QLabel(tr("Overall"));
    overall_progress_ = new QProgressBar;
    for (QProgressBar* bar : {workload_progress_, overall_progress_}) {
        bar->setRange(0, 1000);
        bar->setValue(0);
        bar->setTextVisible(true);
        bar->setFormat("%p%");
    }
    auto* progress = new QGridLayout;
    progress->addWidget(workload_label_, 0, 0);
    progress->addWidget(workload_progress_, 0, 1);
    progress->addWidget(overall_label_, 1, 0);
    progress->addWidget(overall_progress_, 1, 1);
    progress->setColumnStretch(1, 1);
    layout->addLayout(progress);

    auto* vertical = new QSplitter(Qt::Vertical);
    auto* charts = new QSplitter(Qt::Horizontal);
    tok_s_chart_ = new LiveChartView(tr("Throughput (tok/s)"), tr("time (s)"), tr("tok/s"));
    latency_chart_ = new LiveChartView(tr("Per-request latency"), tr("request"), tr("E2E latency (ms)"));
    charts->addWidget(tok_s_chart_);
    charts->addWidget(latency_chart_);
    vertical->addWidget(charts);

    auto* texts = new QSplitter(Qt::Horizontal);
    auto* stream_box = new QWidget;
    auto* stream_layout = new QVBoxLayout(stream_box);
    stream_layout->setContentsMargins(0, 0, 0, 0);
    stream_title_ = new QLabel(tr("Streamed text"));
    stream_ = new QPlainTextEdit;
    stream_->setReadOnly(true);
    stream_layout->addWidget(stream_title_);
    stream_layout->addWidget(stream_);
    auto* log_box = new QWidget;
    auto* log_layout = new QVBoxLayout(log_box);
    log_layout->setContentsMargins(0, 0, 0, 0);
    log_ = new QPlainTextEdit;
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(5000);
    log_->setFont(QFont("monospace"));
    log_layout->addWidget(new QLabel(tr("Log")));
    log_layout->addWidget(log_);
    texts->addWidget(stream_box);
    texts->addWidget(log_box);
    vertical->addWidget(texts);
    vertical->setStretchFactor(0, 3);
    vertical->setStretchFactor(1, 2);
    layout->addWidget(vertical, 1);
    return monitor;
}

std::vector<bench::BenchmarkSpec> RunPage::specs() const {
    bench::BenchmarkSpec base;
    if (file_radio_->isChecked()) {
        base.model_path = model_path_->text().trimmed().toStdString();
    } else {
        base.demo_preset = preset_->currentText().toStdString();
        base.demo_type = demo_type_->currentText().toStdString();
        base.demo_arch = demo_arch_->currentText().toStdString();
    }
    base.kernel = kernel_->currentText().toStdString();
    base.threads = threads_->value();
    base.kv_type = bench::kv_type_from_name(kv_type_->currentText().toStdString()).value_or(base.kv_type);
    base.n_ctx = n_ctx_->value();
    base.repetitions = repetitions_->value();
    base.warmup = warmup_->value();
    base.concurrency = concurrency_->value();
    base.max_tokens = max_tokens_->value();
    base.prompts_file = prompts_file_->text().trimmed().toStdString();
    base.n_prompt = n_prompt_->value();
    base.n_gen = n_gen_->value();
    base.temperature = static_cast<float>(temperature_->value());
    base.top_p = static_cast<float>(top_p_->value());
    base.top_k = top_k_->value();
    base.seed = seed_value().value_or(base.seed);
    base.arrival_rate = arrival_rate_->value();
    base.duration_s = duration_->value();
    base.slo_ttft_ms = slo_ttft_->value();
    base.slo_tpot_ms = slo_tpot_->value();
    base.sweep_threads = bench::parse_int_list(sweep_threads_->text().toStdString()).value_or(std::vector<int>{});
    base.sweep_concurrency = bench::parse_int_list(sweep_concurrency_->text().toStdString()).value_or(std::vector<int>{});
    base.sampler_interval_ms = AppSettings::sampler_interval_ms();
    base.text_file = ppl_text_->text().trimmed().toStdString();
    base.ppl_ctx = ppl_ctx_->value();
    base.ppl_chunks = ppl_chunks_->value();
    base.kl_base = kl_base_->text().trimmed().toStdString();
    base.write_kl_base = write_kl_base_->text().trimmed().toStdString();
    target_->apply(base);
    std::vector<bench::BenchmarkSpec> out;
    for (QCheckBox* box : workload_boxes_) {
        if (!box->isChecked()) continue;
        bench::BenchmarkSpec s = base;
        s.workload = box->text().toStdString();
        out.push_back(std::move(s));
    }
    return out;
}

QString RunPage::validation_errors() const {
    const auto list = specs();
    if (list.empty()) return tr("Check at least one workload.");
    QStringList problems;
    if (file_radio_->isChecked()) {
        const QString path = model_path_->text().trimmed();
        if (path.isEmpty()) problems << tr("Choose a GGUF model file, or use the built-in demo model.");
        else if (!QFileInfo(path).isFile()) problems << tr("Model file not found: %1").arg(path);
    }
    const QString prompts = prompts_file_->text().trimmed();
    if (!prompts.isEmpty() && !QFileInfo(prompts).isFile()) problems << tr("Prompts file not found: %1").arg(prompts);
    if (!seed_value()) problems << tr("Seed must be an integer from 0 to %1.").arg(std::numeric_limits<uint64_t>::max());
    if (!bench::parse_int_list(sweep_threads_->text().toStdString()))
        problems << tr("Scaling thread counts: a comma-separated list of integers, e.g. 1,2.");
    if (!bench::parse_int_list(sweep_concurrency_->text().toStdString()))
        problems << tr("Scaling concurrencies: a comma-separated list of integers, e.g. 1,2,4,8.");
    for (const auto& s : list) {
        if (s.workload == "perplexity") {
            if (!s.text_file.empty() && !QFileInfo(QString::fromStdString(s.text_file)).isFile())
                problems << tr("Text file not found: %1").arg(QString::fromStdString(s.text_file));
            if (!s.kl_base.empty() && !QFileInfo(QString::fromStdString(s.kl_base)).isFile())
                problems << tr("KL base file not found: %1").arg(QString::fromStdString(s.kl_base));
        }
        const std::string error = s.validate();
        if (!error.empty()) problems << QStringLiteral("%1: %2").arg(QString::fromStdString(s.workload), QString::fromStdString(error));
    }
    problems.removeDuplicates();
    return problems.join('\n');
}

bool RunPage::running() const { return job_ != 0; }

std::optional<uint64_t> RunPage::seed_value() const {
    bool ok = false;
    const qulonglong v = seed_->text().trimmed().toULongLong(&ok);
    if (!ok) return std::nullopt;
    return static_cast<uint64_t>(v);
}

void RunPage::update_validation() {
    if (!validation_) return;
    const QString errors = validation_errors();
    validation_->setText(errors);
    validation_->setVisible(!errors.isEmpty());
    update_buttons();
}

void RunPage::update_buttons() {
    if (!start_button_) return;
    start_button_->setEnabled(!running() && validation_->text().isEmpty());
    cancel_button_->setEnabled(running());
}

void RunPage::browse_model() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Choose a GGUF model"), QFileInfo(model_path_->text()).path(),
                                                      tr("GGUF models (*.gguf);;All files (*)"));
    if (!path.isEmpty()) set_model_file(path);
}

void RunPage::browse_prompts() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Choose a prompts file"), QFileInfo(prompts_file_->text()).path(),
                                                      tr("Prompts (*.txt *.jsonl);;All files (*)"));
    if (!path.isEmpty()) prompts_file_->setText(path);
}

void RunPage::set_demo_model(const QString& preset, const QString& type, const QString& arch) {
    demo_radio_->setChecked(true);
    preset_->setCurrentText(preset);
    demo_type_->setCurrentText(type);
    demo_arch_->setCurrentText(arch);
    update_validation();
}

void RunPage::set_demo_preset(const QString& preset) {
    set_demo_model(preset, demo_type_->currentText(), demo_arch_->currentText());
}

void RunPage::set_model_file(const QString& path) {
    model_path_->setText(path);
    file_radio_->setChecked(true);
    update_validation();
}

void RunPage::set_workloads(const QStringList& names) {
    for (QCheckBox* box : workload_boxes_) box->setChecked(names.contains(box->text()));
    update_validation();
}

void RunPage::set_spec_values(const bench::BenchmarkSpec& s) {
    kernel_->setCurrentText(QString::fromStdString(s.kernel));
    threads_->setValue(s.threads);
    kv_type_->setCurrentText(QString::fromLatin1(bench::kv_type_name(s.kv_type)));
    n_ctx_->setValue(static_cast<int>(std::clamp<int64_t>(s.n_ctx, 0, n_ctx_->maximum())));
    repetitions_->setValue(s.repetitions);
    warmup_->setValue(s.warmup);
    concurrency_->setValue(s.concurrency);
    max_tokens_->setValue(s.max_tokens);
    prompts_file_->setText(QString::fromStdString(s.prompts_file));
    n_prompt_->setValue(s.n_prompt);
    n_gen_->setValue(s.n_gen);
    temperature_->setValue(s.temperature);
    top_p_->setValue(s.top_p);
    top_k_->setValue(s.top_k);
    seed_->setText(QString::number(s.seed));
    arrival_rate_->setValue(s.arrival_rate);
    duration_->setValue(s.duration_s);
    slo_ttft_->setValue(s.slo_ttft_ms);
    slo_tpot_->setValue(s.slo_tpot_ms);
    sweep_threads_->setText(QString::fromStdString(bench::format_int_list(s.sweep_threads)));
    sweep_concurrency_->setText(QString::fromStdString(bench::format_int_list(s.sweep_concurrency)));
    ppl_text_->setText(QString::fromStdString(s.text_file));
    ppl_ctx_->setValue(s.ppl_ctx);
    ppl_chunks_->setValue(s.ppl_chunks);
    kl_base_->setText(QString::fromStdString(s.kl_base));
    write_kl_base_->setText(QString::fromStdString(s.write_kl_base));
    target_->set_from(s);
    update_validation();
}

QString RunPage::streamed_text() const { return stream_->toPlainText(); }
QString RunPage::log_text() const { return log_->toPlainText(); }

void RunPage::save_settings() const {
    const auto list = specs();
    bench::BenchmarkSpec s = list.empty() ? bench::BenchmarkSpec{} : list.front();
    if (list.empty()) {
        s.model_path = file_radio_->isChecked() ? model_path_->text().toStdString() : std::string();
    }
    AppSettings::set_last_spec_json(QByteArray::fromStdString(s.to_json().dump()));
    QStringList names;
    for (QCheckBox* box : workload_boxes_)
        if (box->isChecked()) names << box->text();
    AppSettings::set_last_workloads(names);
}

void RunPage::load_settings() {
    recent_->clear();
    recent_->addItems(AppSettings::recent_models());
    recent_->setCurrentIndex(-1);
    const QByteArray json = AppSettings::last_spec_json();
    if (!json.isEmpty()) {
        try {
            const auto s = bench::BenchmarkSpec::from_json(nlohmann::json::parse(json.toStdString()));
            set_spec_values(s);
            if (!s.model_path.empty()) set_model_file(QString::fromStdString(s.model_path));
            else set_demo_model(QString::fromStdString(s.demo_preset), QString::fromStdString(s.demo_type),
                                QString::fromStdString(s.demo_arch));
        } catch (const std::exception&) {
            // Unreadable saved parameters: keep the defaults.
        }
    } else {
        threads_->setValue(AppSettings::default_threads());
    }
    const QStringList names = AppSettings::last_workloads();
    if (!names.isEmpty()) set_workloads(names);
    update_validation();
}

void RunPage::start() {
    if (running()) return;
    update_validation();
    const QString errors = validation_errors();
    if (!errors.isEmpty()) {
        emit context_->errorRaised(tr("Cannot start: %1").arg(errors));
        return;
    }
    auto list = specs();
    // The full check the CLI makes before a run (context, memory, model and prompts files):
    // a refused workload starts nothing.
    for (const auto& spec : list) {
        const bench::RunCheck check = bench::check_run_inputs(spec);
        if (!check.ok()) {
            emit context_->errorRaised(tr("Cannot start %1: %2")
                                           .arg(QString::fromStdString(spec.workload), QString::fromStdString(check.message)));
            return;
        }
    }
    if (file_radio_->isChecked()) {
        AppSettings::add_recent_model(model_path_->text().trimmed());
        recent_->clear();
        recent_->addItems(AppSettings::recent_models());
        recent_->setCurrentIndex(-1);
    }
    save_settings();
    tok_s_chart_->clear();
    latency_chart_->clear();
    stream_->clear();
    followed_request_ = -1;
    requests_seen_ = 0;
    workload_progress_->setValue(0);
    overall_progress_->setValue(0);
    job_started_s_ = now_s();
    job_ = context_->runs().start(context_->db_path(), std::move(list));
    if (job_ == 0) {
        emit context_->errorRaised(tr("A benchmark is still running."));
        return;
    }
    append_log(tr("Started %1 workload(s).").arg(specs().size()));
    emit context_->statusMessage(tr("Benchmark running…"));
    update_buttons();
    emit runningChanged(true);
}

void RunPage::cancel() {
    if (!running()) return;
    context_->runs().cancel();
    append_log(tr("Cancelling… what was measured so far is kept."));
    cancel_button_->setEnabled(false);
}

void RunPage::append_log(const QString& line) {
    log_->appendPlainText(QStringLiteral("[%1] %2").arg(QDateTime::currentDateTime().toString("HH:mm:ss"), line));
}

void RunPage::on_workload_started(quint64 job, int index, int count, qint64 run_id, const tbdb::RunRecord& run) {
    if (job != job_) return;
    last_run_id_ = run_id;
    workload_label_->setText(tr("%1 (%2 of %3)").arg(QString::fromStdString(run.workload)).arg(index + 1).arg(count));
    workload_progress_->setValue(0);
    tok_s_chart_->begin_series(QString::fromStdString(run.workload));
    latency_chart_->begin_series(QString::fromStdString(run.workload));
    requests_seen_ = 0;
    followed_request_ = -1;
    // Only the workloads that generate one request at a time (single, stream) report token
    // pieces; say so instead of an unexplained empty box.
    stream_->setPlaceholderText(
        tr("Generated text appears here when the workload reports its tokens (single and stream do). "
           "`%1` reports none so far.")
            .arg(QString::fromStdString(run.workload)));
    append_log(tr("Run #%1: %2 on %3 (%4)")
                   .arg(run_id)
                   .arg(QString::fromStdString(run.workload), QString::fromStdString(run.model.path),
                        QString::fromStdString(run.implementation)));
}

void RunPage::on_progress(quint64 job, int index, int count, const bench::Progress& p) {
    if (job != job_) return;
    const double fraction = p.total > 0 ? std::clamp(static_cast<double>(p.done) / static_cast<double>(p.total), 0.0, 1.0) : 0.0;
    workload_progress_->setValue(static_cast<int>(fraction * 1000));
    const bool finished = p.total > 0 && p.done >= p.total;
    workload_progress_->setFormat(finished ? QStringLiteral("%1 — %2/%3").arg(QString::fromStdString(p.phase)).arg(p.done).arg(p.total)
                                           : QStringLiteral("%1 — %2/%3 — ETA %4")
                                                 .arg(QString::fromStdString(p.phase))
                                                 .arg(p.done)
                                                 .arg(p.total)
                                                 .arg(format_duration(p.eta_s)));
    // Overall: finished workloads plus the current one's fraction; the ETA extrapolates the
    // elapsed time linearly, so it is an estimate (workloads differ in cost).
    const double overall = count > 0 ? (index + fraction) / count : 0.0;
    overall_progress_->setValue(static_cast<int>(overall * 1000));
    const double elapsed = now_s() - job_started_s_;
    const double eta = overall > 0.02 ? elapsed * (1 - overall) / overall : -1;
    overall_progress_->setFormat(tr("%p% — elapsed %1 — ETA ~%2").arg(format_duration(elapsed), format_duration(eta)));
}

void RunPage::on_tokens(quint64 job, int request, const QString& text) {
    if (job != job_) return;
    if (followed_request_ < 0) {
        followed_request_ = request;
        stream_->clear();
        stream_title_->setText(tr("Streamed text — request %1").arg(request));
    }
    if (request != followed_request_) return;
    stream_->moveCursor(QTextCursor::End);
    stream_->insertPlainText(text);
}

void RunPage::on_request_done(quint64 job, qint64, const tbdb::RequestRecord& r) {
    if (job != job_) return;
    ++requests_seen_;
    if (r.e2e_ms) latency_chart_->append(requests_seen_, *r.e2e_ms);
    if (r.index == followed_request_) followed_request_ = -1;   // follow the next one
}

void RunPage::on_throughput(quint64 job, qint64, double t_s, double tok_s) {
    if (job != job_) return;
    tok_s_chart_->append(t_s, tok_s);
}

void RunPage::on_workload_finished(quint64 job, int, const tbdb::RunRecord& run) {
    if (job != job_) return;
    const QString status = QString::fromStdString(tbdb::status_name(run.status));
    last_run_id_ = run.id;
    append_log(tr("Run #%1 %2").arg(run.id).arg(status));
    if (!run.error.empty()) {
        append_log(tr("Error: %1").arg(QString::fromStdString(run.error)));
        emit context_->errorRaised(tr("Run #%1 (%2) failed: %3")
                                       .arg(run.id)
                                       .arg(QString::fromStdString(run.workload), QString::fromStdString(run.error)));
    }
    add_final_throughput_point(run);
    for (const auto& m : run.metrics)
        if (m.value) append_log(QStringLiteral("  %1 = %2 %3").arg(QString::fromStdString(m.name)).arg(*m.value).arg(QString::fromStdString(m.unit)));
    emit context_->storeChanged();
    emit runFinished(run.id, status);
}

void RunPage::add_final_throughput_point(const tbdb::RunRecord& run) {
    // The core ticks tok/s every 500 ms; a workload shorter than one tick leaves the live chart
    // empty. Then plot the run's measured output tok/s (its average) at its makespan, so the
    // chart still shows what was measured. Nothing measured: nothing plotted.
    if (tok_s_chart_->current_series_points() > 0) return;
    std::optional<double> tok_s, span_ms;
    for (const auto& m : run.metrics) {
        if (m.name == "output_tok_s") tok_s = m.value;
        if (m.name == "makespan_ms") span_ms = m.value;
    }
    if (!span_ms) {
        for (const auto& r : run.requests)
            if (r.e2e_ms) span_ms = std::max(span_ms.value_or(0.0), r.submit_ms + *r.e2e_ms);
    }
    if (!tok_s || !span_ms || *span_ms <= 0) return;
    tok_s_chart_->append(*span_ms / 1000.0, *tok_s);
    append_log(tr("Run shorter than one live tick: plotted its average output tok/s (%1).").arg(*tok_s, 0, 'f', 1));
}

void RunPage::on_job_failed(quint64 job, const QString& error) {
    if (job != job_) return;
    append_log(tr("Error: %1").arg(error));
    emit context_->errorRaised(tr("The benchmark could not run: %1").arg(error));
}

void RunPage::on_job_finished(quint64 job, bool cancelled) {
    if (job != job_) return;
    job_ = 0;
    workload_label_->setText(cancelled ? tr("Cancelled") : tr("Done"));
    if (!cancelled) {
        overall_progress_->setValue(1000);
        overall_progress_->setFormat(tr("%p% — took %1").arg(format_duration(now_s() - job_started_s_)));
    }
    append_log(cancelled ? tr("Cancelled.") : tr("Finished."));
    emit context_->statusMessage(cancelled ? tr("Benchmark cancelled; measured results kept.") : tr("Benchmark finished."));
    update_buttons();
    emit runningChanged(false);
}

}  // namespace tbui
