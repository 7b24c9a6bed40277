#include "ui/adapter/run_adapter.h"

#include <QMetaObject>
#include <QString>

#include "ui/adapter/run_controller.h"

namespace tbui {

namespace {
// Posts fn to the controller's (GUI) thread; `live` events are dropped once the job is cancelled.
template <class Fn>
void post(RunController* controller, quint64 job, bool live, Fn fn) {
    QMetaObject::invokeMethod(
        controller, [controller, job, live, fn = std::move(fn)]() mutable { controller->deliver(job, live, std::move(fn)); },
        Qt::QueuedConnection);
}
}  // namespace

RunAdapter::RunAdapter(RunController* controller, quint64 job, int count)
    : controller_(controller), job_(job), count_(count) {}

void RunAdapter::on_started(int64_t run_id, const tbdb::RunRecord& run) {
    post(controller_, job_, false, [c = controller_, job = job_, i = index_.load(), n = count_, run_id, run] {
        emit c->workloadStarted(job, i, n, run_id, run);
    });
}

void RunAdapter::on_progress(int64_t, const bench::Progress& p) {
    post(controller_, job_, true, [c = controller_, job = job_, i = index_.load(), n = count_, p] {
        emit c->progress(job, i, n, p);
    });
}

void RunAdapter::on_token(int64_t, int request, const std::string& piece, double) {
    std::lock_guard lock(tokens_->mutex);
    auto& chunks = tokens_->chunks;
    if (!chunks.empty() && chunks.back().first == request)
        chunks.back().second += piece;
    else
        chunks.emplace_back(request, piece);
    if (tokens_->posted) return;
    tokens_->posted = true;
    post(controller_, job_, true, [c = controller_, job = job_, buffer = tokens_] {
        std::vector<std::pair<int, std::string>> chunks;
        {
            std::lock_guard lock(buffer->mutex);
            chunks.swap(buffer->chunks);
            buffer->posted = false;
        }
        for (const auto& [request, text] : chunks) emit c->tokens(job, request, QString::fromStdString(text));
    });
}

void RunAdapter::on_request_done(int64_t run_id, const tbdb::RequestRecord& r) {
    post(controller_, job_, true, [c = controller_, job = job_, run_id, r] { emit c->requestDone(job, run_id, r); });
}

void RunAdapter::on_throughput(int64_t run_id, double t_s, double tok_s) {
    post(controller_, job_, true, [c = controller_, job = job_, run_id, t_s, tok_s] {
        emit c->throughput(job, run_id, t_s, tok_s);
    });
}

void RunAdapter::on_log(int64_t, const std::string& line) {
    // Log lines are kept after a cancel: they explain what happened.
    post(controller_, job_, false, [c = controller_, job = job_, text = QString::fromStdString(line)] {
        emit c->logLine(job, text);
    });
}

void RunAdapter::on_finished(int64_t, const tbdb::RunRecord&) {
    // The worker loop reports the returned record (workload_finished): it is the final one.
}

void RunAdapter::workload_finished(const tbdb::RunRecord& run) {
    post(controller_, job_, false, [c = controller_, job = job_, i = index_.load(), run] {
        emit c->workloadFinished(job, i, run);
    });
}

void RunAdapter::failed(const std::string& error) {
    post(controller_, job_, false, [c = controller_, job = job_, text = QString::fromStdString(error)] {
        emit c->jobFailed(job, text);
    });
}

void RunAdapter::job_done(bool cancelled) {
    post(controller_, job_, false, [c = controller_, job = job_, cancelled] { emit c->jobFinished(job, cancelled); });
}

}  // namespace tbui
