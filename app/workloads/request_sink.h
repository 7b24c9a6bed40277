#pragma once
// Where the latency workloads send their requests: the engine's continuous-batching Scheduler
// in-process, or an HTTP server (app/http/http_sink.h). Both deliver every token with the time
// it became available to the measuring side and call on_done exactly once per request, so the
// workloads compute TTFT, ITL, TPOT, E2E and goodput with one code path for both.
#include <memory>

#include "engine/runtime/scheduler.h"

namespace bench {

class RequestSink {
public:
    virtual ~RequestSink() = default;
    // Thread-safe; the request's `submitted` time is taken here.
    virtual void submit(tern::SchedulerRequest req) = 0;
    virtual void cancel_all() = 0;
};

class SchedulerSink final : public RequestSink {
public:
    SchedulerSink(std::shared_ptr<const tern::Model> model, const tern::SchedulerOptions& opts)
        : scheduler_(std::move(model), opts) {}
    void submit(tern::SchedulerRequest req) override { scheduler_.submit(std::move(req)); }
    void cancel_all() override { scheduler_.cancel_all(); }

private:
    tern::Scheduler scheduler_;
};

}  // namespace bench
