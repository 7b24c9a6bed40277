#pragma once
// Collects the results of requests submitted to a RequestSink (the engine's Scheduler or an
// HTTP server; batch, server, scaling, and sequential requests over HTTP) and waits for them, cancelling what is left when the run's cancel flag rises.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <vector>

#include "app/workloads/request_sink.h"

namespace bench {

class RequestTracker {
public:
    explicit RequestTracker(RequestSink& sink) : scheduler_(sink) {}
    ~RequestTracker();  // cancels and waits for requests still in flight

    // Returns the request's slot (submission order).
    size_t submit(std::vector<int32_t> prompt, const tern::GenerationParams& params,
                  tern::TokenCallback on_token = {});
    // Blocks until every submitted request is done; true when cancelled on the way.
    bool wait_all(const std::atomic<bool>* cancel);
    size_t submitted() const;
    size_t finished() const;
    // Results in submission order (valid after wait_all).
    std::vector<tern::GenerationResult> results() const;

private:
    RequestSink& scheduler_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::vector<tern::GenerationResult> results_;
    size_t submitted_ = 0, finished_ = 0;
};

}  // namespace bench
