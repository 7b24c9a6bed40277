#pragma once
// Continuous batching: every active sequence advances by one token per step, all of them in
// one batched forward pass (weights read once per step). Requests join and leave between
// steps. Runs on its own thread; callbacks are called from that thread.
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "engine/model/model.h"
#include "engine/runtime/generate.h"

namespace tern {

struct SchedulerOptions {
    int max_batch = 8;     // sequences decoded together
    int64_t n_ctx = 0;     // per sequence; 0 as SessionOptions
    int threads = 0;       // compute threads; 0 = physical cores
    bool kv_f16 = false;   // F16 KV caches (see SessionOptions)
};

struct SchedulerRequest {
    std::vector<int32_t> prompt;
    GenerationParams params;
    TokenCallback on_token;                                   // optional
    std::function<void(const GenerationResult&)> on_done;    // called exactly once
};

class Scheduler {
public:
    using RequestId = uint64_t;
    Scheduler(std::shared_ptr<const Model> model, SchedulerOptions opts = {});
    ~Scheduler();  // cancels what is left and joins

    RequestId submit(SchedulerRequest req);  // thread-safe; `submitted` time = now
    void cancel(RequestId id);
    void cancel_all();
    void wait_idle();       // blocks until no request is queued or active
    size_t in_flight() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace tern
