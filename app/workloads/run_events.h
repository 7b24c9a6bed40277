#pragma once
// The runner's side of RunObserver: adds the run id, elapsed time and ETA to progress, counts
// tokens for the live tok/s ticker, and tolerates a missing observer. Thread-safe.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "app/core/runner.h"

namespace bench {

class RunEvents {
public:
    using Clock = std::chrono::steady_clock;
    RunEvents(RunObserver* observer, int64_t run_id, Clock::time_point t0)
        : observer_(observer), run_id_(run_id), t0_(t0) {}

    // ETA from the rate of the current phase (done/total since the phase began).
    void progress(const std::string& phase, int64_t done, int64_t total);
    void token(int request, const std::string& piece, Clock::time_point when);
    void request_done(const tbdb::RequestRecord& r);
    void log(const std::string& line);
    void throughput(double t_s, double tok_s);

    // Counted by token(); also by count_tokens() where pieces are not streamed.
    void count_tokens(int64_t n) { tokens_.fetch_add(n, std::memory_order_relaxed); }
    int64_t tokens() const { return tokens_.load(std::memory_order_relaxed); }
    double elapsed_s() const;
    Clock::time_point t0() const { return t0_; }

private:
    RunObserver* observer_;
    int64_t run_id_;
    Clock::time_point t0_;
    std::atomic<int64_t> tokens_{0};
    std::mutex mu_;
    std::string phase_;
    Clock::time_point phase_start_{};
    int64_t phase_done_start_ = 0;
};

}  // namespace bench
