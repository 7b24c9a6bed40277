#include "ui/pages/server_baseline_box.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMetaObject>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "db/run_store.h"
#include "ui/adapter/open_store.h"
#include "ui/app/app_context.h"
#include "ui/app/app_settings.h"

namespace tbui {

ServerBaselineBox::ServerBaselineBox(AppContext* context, QWidget* parent)
    : QGroupBox(tr("llama-server programs (latency workloads over HTTP: TTFT, inter-token latency, goodput)"), parent),
      context_(context) {
    setObjectName("serverBaselineBox");
    auto* outer = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    programs_ = new QListWidget;
    programs_->setObjectName("llamaServerPrograms");
    programs_->setMaximumHeight(programs_->fontMetrics().height() * 5);   // a few programs at most
    programs_->addItems(AppSettings::llama_server_paths());
    if (programs_->count() > 0) programs_->setCurrentRow(0);
    programs_->setMaximumHeight(90);
    auto* buttons = new QVBoxLayout;
    auto* add = new QPushButton(tr("Add…"));
    auto* remove = new QPushButton(tr("Remove"));
    run_now_ = new QPushButton(QIcon(":/icons/start.svg"), tr("Run baseline now"));
    run_now_->setObjectName("runServerBaselineButton");
    buttons->addWidget(add);
    buttons->addWidget(remove);
    buttons->addWidget(run_now_);
    buttons->addStretch();
    top->addWidget(programs_, 1);
    top->addLayout(buttons);
    outer->addLayout(top);

    auto* row = new QHBoxLayout;
    model_ = new QLineEdit;
    model_->setPlaceholderText(tr("model.gguf for llama-server (and for the prompt token ids)"));
    const QStringList recent = AppSettings::recent_models();
    if (!recent.isEmpty()) model_->setText(recent.front());
    auto* browse = new QPushButton(tr("Browse…"));
    workload_ = new QComboBox;
    workload_->addItems({"stream", "single", "batch", "server", "scaling"});
    max_tokens_ = new QSpinBox;
    max_tokens_->setRange(1, 1 << 16);
    max_tokens_->setValue(64);
    reps_ = new QSpinBox;
    reps_->setRange(1, 1000);
    reps_->setValue(5);
    concurrency_ = new QSpinBox;
    concurrency_->setRange(1, 256);
    concurrency_->setValue(4);
    concurrency_->setToolTip(tr("batch: requests at once; server: max batch; = llama-server -np"));
    rate_ = new QDoubleSpinBox;
    rate_->setRange(0.01, 1000);
    rate_->setValue(1);
    rate_->setSuffix(tr(" req/s"));
    duration_ = new QDoubleSpinBox;
    duration_->setRange(1, 86400);
    duration_->setDecimals(0);
    duration_->setValue(30);
    duration_->setSuffix(tr(" s"));
    row->addWidget(new QLabel(tr("Model")));
    row->addWidget(model_, 1);
    row->addWidget(browse);
    row->addWidget(new QLabel(tr("Workload")));
    row->addWidget(workload_);
    row->addWidget(new QLabel(tr("Tokens")));
    row->addWidget(max_tokens_);
    row->addWidget(new QLabel(tr("-r")));
    row->addWidget(reps_);
    outer->addLayout(row);

    auto* row2 = new QHBoxLayout;
    ignore_eos_ = new QCheckBox(tr("Ignore EOS"));
    ignore_eos_->setChecked(true);
    ignore_eos_->setToolTip(tr("Every request yields exactly the requested tokens, on both sides"));
    forbid_bytes_ = new QCheckBox(tr("Forbid byte tokens"));
    forbid_bytes_->setToolTip(tr("Demo models: llama-server fails on invalid UTF-8 without this (logit_bias)"));
    row2->addWidget(new QLabel(tr("Concurrency")));
    row2->addWidget(concurrency_);
    row2->addWidget(new QLabel(tr("Rate")));
    row2->addWidget(rate_);
    row2->addWidget(new QLabel(tr("Window")));
    row2->addWidget(duration_);
    row2->addWidget(ignore_eos_);
    row2->addWidget(forbid_bytes_);
    row2->addStretch();
    outer->addLayout(row2);
    result_ = new QLabel;
    result_->setWordWrap(true);
    result_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    outer->addWidget(result_);

    connect(add, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("llama-server executable"));
        if (path.isEmpty()) return;
        programs_->addItem(path);
        programs_->setCurrentRow(programs_->count() - 1);
        QStringList all;
        for (int i = 0; i < programs_->count(); ++i) all << programs_->item(i)->text();
        AppSettings::set_llama_server_paths(all);
        update_run_button();
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        delete programs_->takeItem(programs_->currentRow());
        QStringList all;
        for (int i = 0; i < programs_->count(); ++i) all << programs_->item(i)->text();
        AppSettings::set_llama_server_paths(all);
        update_run_button();
    });
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Model for llama-server"), model_->text(),
                                                          tr("GGUF models (*.gguf);;All files (*)"));
        if (!path.isEmpty()) model_->setText(path);
    });
    connect(run_now_, &QPushButton::clicked, this, &ServerBaselineBox::run_baseline);
    connect(model_, &QLineEdit::textChanged, this, &ServerBaselineBox::update_run_button);
    connect(workload_, &QComboBox::currentTextChanged, this, [this](const QString& w) {
        rate_->setEnabled(w == "server");
        duration_->setEnabled(w == "server");
        concurrency_->setEnabled(w == "batch" || w == "server");
    });
    workload_->currentTextChanged(workload_->currentText());
    update_run_button();
}

ServerBaselineBox::~ServerBaselineBox() {
    if (cancel_) cancel_->store(true);
    if (thread_.joinable()) thread_.join();
}

void ServerBaselineBox::set_programs(const QStringList& paths) {
    programs_->clear();
    programs_->addItems(paths);
    if (programs_->count() > 0) programs_->setCurrentRow(0);
    AppSettings::set_llama_server_paths(paths);
    update_run_button();
}

void ServerBaselineBox::set_model(const QString& path) { model_->setText(path); }
void ServerBaselineBox::set_workload(const QString& name) { workload_->setCurrentText(name); }

void ServerBaselineBox::update_run_button() {
    const bool ok = programs_->count() > 0 && !model_->text().trimmed().isEmpty() && !running();
    run_now_->setEnabled(ok);
    run_now_->setToolTip(running() ? tr("A baseline is running.")
                         : programs_->count() == 0 ? tr("Add a llama-server executable first.")
                         : model_->text().trimmed().isEmpty() ? tr("Choose the model file the server should load.")
                                                              : tr("Start the selected llama-server on 127.0.0.1, run the "
                                                                   "workload over HTTP, stop it and store the run."));
}

bench::LlamaServerRunSpec ServerBaselineBox::current_spec() const {
    bench::LlamaServerRunSpec ls;
    const QListWidgetItem* item = programs_->currentItem() ? programs_->currentItem() : programs_->item(0);
    if (item) ls.program = item->text().toStdString();
    auto& s = ls.spec;
    s.workload = workload_->currentText().toStdString();
    s.model_path = model_->text().trimmed().toStdString();
    s.max_tokens = max_tokens_->value();
    s.repetitions = reps_->value();
    s.concurrency = concurrency_->value();
    s.arrival_rate = rate_->value();
    s.duration_s = duration_->value();
    s.ignore_eos = ignore_eos_->isChecked();
    s.forbid_byte_tokens = forbid_bytes_->isChecked();
    s.threads = AppSettings::default_threads();
    return ls;
}

void ServerBaselineBox::run_baseline() {
    if (running() || programs_->count() == 0) return;
    const auto ls = current_spec();
    const QString program = QString::fromStdString(ls.program);
    result_->setText(tr("Running %1 (%2) …").arg(program, QString::fromStdString(ls.spec.workload)));
    emit context_->statusMessage(tr("Baseline running: %1").arg(program));
    cancel_ = std::make_shared<std::atomic<bool>>(false);
    // Its own thread and store connection, like the llama-bench baseline.
    thread_ = std::thread([this, ls, program, path = context_->db_path().toStdString(), cancel = cancel_] {
        bench::LlamaServerRunOutcome outcome;
        try {
            tbdb::RunStore store = open_store_retrying(path);
            outcome = bench::run_llama_server_baseline(ls, store, nullptr, cancel.get());
        } catch (const std::exception& e) {
            outcome.error = std::string("could not store the baseline: ") + e.what();
        }
        QMetaObject::invokeMethod(this, [this, outcome, program] { on_done(outcome, program); }, Qt::QueuedConnection);
    });
    update_run_button();
}

void ServerBaselineBox::on_done(const bench::LlamaServerRunOutcome& outcome, const QString& program) {
    if (thread_.joinable()) thread_.join();
    const auto* ttft = outcome.run.metric("ttft_ms_p50");
    const auto* itl = outcome.run.metric("itl_ms_p50");
    if (outcome.error.empty()) {
        QString figures;
        if (ttft && ttft->value) figures += tr("TTFT p50 %1 ms").arg(*ttft->value, 0, 'f', 1);
        if (itl && itl->value) figures += tr(", ITL p50 %1 ms").arg(*itl->value, 0, 'f', 1);
        last_ = tr("%1: run #%2 stored (%3 %4%5).")
                    .arg(program)
                    .arg(outcome.run.id)
                    .arg(QString::fromStdString(outcome.run.implementation), QString::fromStdString(outcome.run.workload),
                         figures.isEmpty() ? QString() : ", " + figures);
        emit context_->statusMessage(last_);
    } else {
        last_ = tr("Baseline failed: %1 (stored as failed run #%2)").arg(QString::fromStdString(outcome.error)).arg(outcome.run.id);
        emit context_->errorRaised(last_);
    }
    result_->setText(last_);
    update_run_button();
    if (outcome.run.id > 0) emit context_->storeChanged();
    emit baselineFinished(outcome.error.empty());
}

}  // namespace tbui
