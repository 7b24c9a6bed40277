#include "ui/pages/run_page.h"

#include <algorithm>
#include <optional>

#include <QDateTime>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSplitter>
#include <QVBoxLayout>

#include "app/core/run_checks.h"
#include "ui/app/app_context.h"
#include "ui/charts/live_chart_view.h"
#include "ui/pages/run_form.h"

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

}  // namespace

RunPage::RunPage(AppContext* context, QWidget* parent) : QWidget(parent), context_(context) {
    auto* splitter = new QSplitter(Qt::Horizontal);
    auto* form_scroll = new QScrollArea;
    form_scroll->setObjectName("runFormScroll");
    form_scroll->setWidget(build_controls());
    form_scroll->setWidgetResizable(true);
    form_scroll->setFrameShape(QFrame::NoFrame);
    // The form scrolls vertically only, so it may never be narrower than its narrowest layout
    // (plus the scroll bar); beyond that the charts share the width (a 1024 px screen fits).
    form_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    form_scroll->setMinimumWidth(form_scroll->widget()->minimumSizeHint().width() +
                                 form_scroll->verticalScrollBar()->sizeHint().width());
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
    update_buttons();
}

// The left column: the form with Start / Cancel under it.
QWidget* RunPage::build_controls() {
    auto* controls = new QWidget;
    auto* layout = new QVBoxLayout(controls);
    form_ = new RunForm;
    layout->addWidget(form_);
    connect(form_, &RunForm::validated, this, &RunPage::update_buttons);
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
    return controls;
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

bool RunPage::running() const { return job_ != 0; }

void RunPage::update_buttons() {
    if (!start_button_) return;
    start_button_->setEnabled(!running() && form_->valid());
    cancel_button_->setEnabled(running());
}

QString RunPage::streamed_text() const { return stream_->toPlainText(); }
QString RunPage::log_text() const { return log_->toPlainText(); }

void RunPage::start() {
    if (running()) return;
    const QString errors = form_->validate();
    if (!errors.isEmpty()) {
        emit context_->errorRaised(tr("Cannot start: %1").arg(errors));
        return;
    }
    auto list = form_->specs();
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
    form_->remember_model();
    form_->save_settings();
    tok_s_chart_->clear();
    latency_chart_->clear();
    stream_->clear();
    followed_request_ = -1;
    requests_seen_ = 0;
    workload_progress_->setValue(0);
    overall_progress_->setValue(0);
    job_started_s_ = now_s();
    const size_t count = list.size();
    job_ = context_->runs().start(context_->db_path(), std::move(list));
    if (job_ == 0) {
        emit context_->errorRaised(tr("A benchmark is still running."));
        return;
    }
    append_log(tr("Started %1 workload(s).").arg(count));
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
