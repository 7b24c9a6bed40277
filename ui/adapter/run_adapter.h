#pragma once
// The bench::RunObserver the runner calls from its threads. It copies what it is given and
// posts it to the RunController on the GUI thread, tagged with its job id. Token pieces are
// coalesced so a fast model cannot flood the event loop with one event per token.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <QtGlobal>

#include "app/core/runner.h"

namespace tbui {

class RunController;

class RunAdapter : public bench::RunObserver {
public:
    RunAdapter(RunController* controller, quint64 job, int count);

    void set_index(int index) { index_ = index; }

    void on_started(int64_t run_id, const tbdb::RunRecord& run) override;
    void on_progress(int64_t run_id, const bench::Progress& p) override;
    void on_token(int64_t run_id, int request, const std::string& piece, double t_ms) override;
    void on_request_done(int64_t run_id, const tbdb::RequestRecord& r) override;
    void on_throughput(int64_t run_id, double t_s, double tok_s) override;
    void on_log(int64_t run_id, const std::string& line) override;
    void on_finished(int64_t run_id, const tbdb::RunRecord& run) override;

    // Posted by the worker loop itself.
    void workload_finished(const tbdb::RunRecord& run);
    void failed(const std::string& error);
    void job_done(bool cancelled);

    // Pieces waiting for the GUI thread; shared with the posted call, which may run after
    // this adapter (on the worker's stack) is gone.
    struct TokenBuffer {
        std::mutex mutex;
        std::vector<std::pair<int, std::string>> chunks;   // (request, text), merged
        bool posted = false;
    };

private:
    RunController* controller_;
    quint64 job_;
    int count_;
    std::atomic<int> index_{0};
    std::shared_ptr<TokenBuffer> tokens_ = std::make_shared<TokenBuffer>();
};

}  // namespace tbui
