#pragma once
// Starts benchmark runs on a worker thread and turns the core's callbacks into Qt signals on
// the GUI thread. Every event carries the job id it belongs to; events of a job that is no
// longer current are dropped, and once a job is cancelled its live events (tokens, throughput,
// progress) are dropped too while its final records are still delivered (cancel keeps what
// was measured).
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include <QObject>
#include <QString>

#include "app/core/benchmark_spec.h"
#include "app/core/runner.h"
#include "db/run_record.h"

namespace tbui {

class RunController : public QObject {
    Q_OBJECT
public:
    explicit RunController(QObject* parent = nullptr);
    ~RunController() override;   // cancels and waits for the worker (window shutdown only)

    bool running() const { return worker_.joinable(); }

    // Runs the specs one after another against the database at db_path. Returns the job id,
    // or 0 when a job is still running.
    quint64 start(const QString& db_path, std::vector<bench::BenchmarkSpec> specs);
    void cancel();

    // Called from the worker through queued calls; public for the adapter only.
    void deliver(quint64 job, bool live, std::function<void()> emit_event);

signals:
    void workloadStarted(quint64 job, int index, int count, qint64 run_id, const tbdb::RunRecord& run);
    void progress(quint64 job, int index, int count, const bench::Progress& p);
    void tokens(quint64 job, int request, const QString& text);
    void requestDone(quint64 job, qint64 run_id, const tbdb::RequestRecord& request);
    void throughput(quint64 job, qint64 run_id, double t_s, double tok_s);
    void logLine(quint64 job, const QString& line);
    void workloadFinished(quint64 job, int index, const tbdb::RunRecord& run);
    void jobFailed(quint64 job, const QString& error);   // nothing could run (e.g. locked db)
    void jobFinished(quint64 job, bool cancelled);

private:
    void finish_job(quint64 job);

    quint64 job_ = 0;
    quint64 cancelled_job_ = 0;
    std::shared_ptr<std::atomic<bool>> cancel_flag_;
    std::thread worker_;
};

}  // namespace tbui
