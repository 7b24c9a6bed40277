#include "ui/adapter/run_controller.h"

#include <exception>

#include "db/run_store.h"
#include "ui/adapter/open_store.h"
#include "ui/adapter/run_adapter.h"

namespace tbui {

RunController::RunController(QObject* parent) : QObject(parent) {
    connect(this, &RunController::jobFinished, this, [this](quint64 job, bool) { finish_job(job); });
}

RunController::~RunController() {
    if (cancel_flag_) cancel_flag_->store(true);
    if (worker_.joinable()) worker_.join();
}

quint64 RunController::start(const QString& db_path, std::vector<bench::BenchmarkSpec> specs) {
    if (running()) return 0;
    const quint64 job = ++job_;
    cancel_flag_ = std::make_shared<std::atomic<bool>>(false);
    worker_ = std::thread([this, job, path = db_path.toStdString(), specs = std::move(specs), cancel = cancel_flag_] {
        RunAdapter adapter(this, job, static_cast<int>(specs.size()));
        bool cancelled = false;
        try {
            tbdb::RunStore store = open_store_retrying(path);
            bench::Runner runner(store);
            for (size_t i = 0; i < specs.size(); ++i) {
                if (cancel->load()) { cancelled = true; break; }
                adapter.set_index(static_cast<int>(i));
                const tbdb::RunRecord run = runner.run(specs[i], &adapter, cancel.get());
                adapter.workload_finished(run);
                if (run.status == tbdb::RunStatus::Cancelled) { cancelled = true; break; }
            }
        } catch (const std::exception& e) {
            adapter.failed(e.what());
        } catch (...) {
            adapter.failed("unknown error while running the benchmark");
        }
        adapter.job_done(cancelled || cancel->load());
    });
    return job;
}

void RunController::cancel() {
    if (!running() || !cancel_flag_) return;
    cancel_flag_->store(true);
    cancelled_job_ = job_;
}

void RunController::deliver(quint64 job, bool live, std::function<void()> emit_event) {
    if (job != job_) return;                          // an older job: stale
    if (live && job == cancelled_job_) return;        // cancelled: no more live updates
    emit_event();
}

void RunController::finish_job(quint64 job) {
    if (job != job_ || !worker_.joinable()) return;
    worker_.join();   // the thread has posted its last event and is returning
}

}  // namespace tbui
