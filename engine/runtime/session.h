#pragma once
// One sequence: its KV cache and the forward passes over it. Not thread-safe itself; use one
// Session per thread (they may share one Model).
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "engine/model/model.h"

namespace tern {

class ThreadPool;
struct KvCache;           // engine/model/kv_cache.h
struct ForwardWorkspace;  // engine/model/forward.h

struct SessionOptions {
    int64_t n_ctx = 0;                  // 0: min(model's training context, 4096)
    int threads = 0;                    // 0: physical cores (ignored when pool is given)
    std::shared_ptr<ThreadPool> pool;   // shared compute pool, optional
    bool kv_f16 = false;                // F16 KV cache: half the memory and attention reads
};

// The context a session gets for n_ctx <= 0: min(training context, 4096).
int64_t default_context(const HParams& hp, int64_t requested);

class Session {
public:
    Session(std::shared_ptr<const Model> model, SessionOptions opts = {});
    ~Session();

    // Appends tokens (as given, no BOS added) and evaluates them in one batch (prefill).
    // Returns logits [n_rows][n_vocab]: the last position only, or every position (valid until
    // the next eval on this session).
    // Throws tern::Error when n_past + tokens exceeds n_ctx or an id is out of range.
    std::span<const float> eval(std::span<const int32_t> tokens, bool all_logits = false);

    int64_t n_past() const;
    int64_t n_ctx() const;
    void reset();  // empties the KV cache

    const Model& model() const { return *model_; }
    KvCache& kv_cache();
    ThreadPool& pool();
    ForwardWorkspace& workspace();

private:
    std::shared_ptr<const Model> model_;
    std::shared_ptr<ThreadPool> pool_;
    std::unique_ptr<KvCache> kv_;
    std::unique_ptr<ForwardWorkspace> ws_;
};

}  // namespace tern
