#include "ui/pages/run_form.h"

#include <algorithm>
#include <limits>

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

#include "app/core/engine_options.h"
#include "app/core/int_list.h"
#include "app/core/run_checks.h"
#include "ui/app/app_settings.h"
#include "ui/pages/endpoint_target_box.h"
#include "ui/pages/model_source_box.h"

namespace tbui {

namespace {

QSpinBox* spin(int min, int max, int value, const QString& special = {}) {
    auto* s = new QSpinBox;
    s->setRange(min, max);
    s->setValue(value);
    if (!special.isEmpty()) s->setSpecialValueText(special);
    return s;
}

QDoubleSpinBox* dspin(double min, double max, double value, int decimals, double step) {
    auto* s = new QDoubleSpinBox;
    s->setRange(min, max);
    s->setDecimals(decimals);
    s->setSingleStep(step);
    s->setValue(value);
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

}  // namespace

RunForm::RunForm(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    // No margins of its own: the page lays the form out with its Start / Cancel buttons.
    layout->setContentsMargins(0, 0, 0, 0);
    model_ = new ModelSourceBox;
    layout->addWidget(model_);
    layout->addWidget(build_workload_box());
    build_parameter_sections(layout);
    target_ = new EndpointTargetBox;
    layout->addWidget(target_);
    layout->addWidget(build_perplexity_box());

    validation_ = new QLabel;
    validation_->setWordWrap(true);
    // A message wraps at the form's width; a long file name in it never widens the form.
    validation_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    validation_->setStyleSheet("color: #c03030;");
    layout->addWidget(validation_);

    // Every field is checked again on every change (connected once all exist).
    const auto revalidate = [this] { validate(); };
    connect(model_, &ModelSourceBox::changed, this, revalidate);
    connect(target_, &EndpointTargetBox::changed, this, revalidate);
    for (QSpinBox* s : {threads_, n_ctx_, repetitions_, warmup_, concurrency_, max_tokens_, n_prompt_, n_gen_, top_k_,
                        ppl_ctx_, ppl_chunks_})
        connect(s, &QSpinBox::valueChanged, this, revalidate);
    for (QDoubleSpinBox* s : {temperature_, top_p_, arrival_rate_, duration_, slo_ttft_, slo_tpot_})
        connect(s, &QDoubleSpinBox::valueChanged, this, revalidate);
    for (QLineEdit* e : {prompts_file_, seed_, sweep_threads_, sweep_concurrency_, ppl_text_, kl_base_, write_kl_base_})
        connect(e, &QLineEdit::textChanged, this, revalidate);
    for (QCheckBox* box : workload_boxes_) connect(box, &QCheckBox::toggled, this, revalidate);
    validate();
}

QWidget* RunForm::build_workload_box() {
    auto* box = new QGroupBox(tr("Workloads (run in sequence)"));
    auto* grid = new QGridLayout(box);
    int i = 0;
    for (const auto& name : bench::workload_names()) {
        auto* check = new QCheckBox(QString::fromStdString(name));
        check->setChecked(name == "single");
        workload_boxes_.push_back(check);
        grid->addWidget(check, i / 3, i % 3);
        ++i;
    }
    return box;
}

// One group per concern, defaults from BenchmarkSpec.
void RunForm::build_parameter_sections(QVBoxLayout* layout) {
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
    connect(browse_prompts, &QPushButton::clicked, this, &RunForm::browse_prompts);

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
}

QWidget* RunForm::build_perplexity_box() {
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
    return box;
}

std::vector<bench::BenchmarkSpec> RunForm::specs() const {
    bench::BenchmarkSpec base;
    model_->apply(base);
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

QString RunForm::validation_errors() const {
    const auto list = specs();
    if (list.empty()) return tr("Check at least one workload.");
    QStringList problems = model_->problems();
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

QString RunForm::validate() {
    shown_errors_ = validation_errors();
    validation_->setText(shown_errors_);
    validation_->setVisible(!shown_errors_.isEmpty());
    emit validated(shown_errors_.isEmpty());
    return shown_errors_;
}

std::optional<uint64_t> RunForm::seed_value() const {
    bool ok = false;
    const qulonglong v = seed_->text().trimmed().toULongLong(&ok);
    if (!ok) return std::nullopt;
    return static_cast<uint64_t>(v);
}

void RunForm::browse_prompts() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Choose a prompts file"), QFileInfo(prompts_file_->text()).path(),
                                                      tr("Prompts (*.txt *.jsonl);;All files (*)"));
    if (!path.isEmpty()) prompts_file_->setText(path);
}

void RunForm::set_demo_model(const QString& preset, const QString& type, const QString& arch) {
    model_->set_demo_model(preset, type, arch);   // validated on its changed()
}

void RunForm::set_demo_preset(const QString& preset) { model_->set_demo_preset(preset); }
void RunForm::set_model_file(const QString& path) { model_->set_model_file(path); }

void RunForm::set_workloads(const QStringList& names) {
    for (QCheckBox* box : workload_boxes_) box->setChecked(names.contains(box->text()));
    validate();
}

void RunForm::set_spec_values(const bench::BenchmarkSpec& s) {
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
    validate();
}

void RunForm::save_settings() const {
    const auto list = specs();
    bench::BenchmarkSpec s = list.empty() ? bench::BenchmarkSpec{} : list.front();
    // No workload checked: still keep the model the form names.
    if (list.empty()) s.model_path = model_->file_chosen() ? model_->file_path().toStdString() : std::string();
    AppSettings::set_last_spec_json(QByteArray::fromStdString(s.to_json().dump()));
    QStringList names;
    for (QCheckBox* box : workload_boxes_)
        if (box->isChecked()) names << box->text();
    AppSettings::set_last_workloads(names);
}

void RunForm::load_settings() {
    model_->refresh_recent();
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
    validate();
}

void RunForm::remember_model() { model_->remember_file(); }

}  // namespace tbui
