#include "app/workloads/request_tracker.h"

#include <chrono>

namespace bench {

RequestTracker::~RequestTracker() {
    std::unique_lock lock(mu_);
    if (finished_ == submitted_) return;
    lock.unlock();
    scheduler_.cancel_all();
    lock.lock();
    // on_done is called exactly once per request, cancelled or not.
    cv_.wait(lock, [this] { return finished_ == submitted_; });
}

size_t RequestTracker::submit(std::vector<int32_t> prompt, const tern::GenerationParams& params,
                              tern::TokenCallback on_token) {
    size_t slot;
    {
        std::lock_guard lock(mu_);
        slot = submitted_++;
        results_.emplace_back();
    }
    tern::SchedulerRequest req;
    req.prompt = std::move(prompt);
    req.params = params;
    req.on_token = std::move(on_token);
    req.on_done = [this, slot](const tern::GenerationResult& r) {
        std::lock_guard lock(mu_);
        results_[slot] = r;
        ++finished_;
        cv_.notify_all();
    };
    scheduler_.submit(std::move(req));
    return slot;
}

bool RequestTracker::wait_all(const std::atomic<bool>* cancel) {
    bool cancelled = false;
    std::unique_lock lock(mu_);
    while (finished_ < submitted_) {
        cv_.wait_for(lock, std::chrono::milliseconds(50));
        if (!cancelled && cancel && cancel->load()) {
            cancelled = true;
            lock.unlock();
            scheduler_.cancel_all();
            lock.lock();
        }
    }
    return cancelled;
}

size_t RequestTracker::submitted() const {
    std::lock_guard lock(mu_);
    return submitted_;
}

size_t RequestTracker::finished() const {
    std::lock_guard lock(mu_);
    return finished_;
}

std::vector<tern::GenerationResult> RequestTracker::results() const {
    std::lock_guard lock(mu_);
    return results_;
}

}  // namespace bench
