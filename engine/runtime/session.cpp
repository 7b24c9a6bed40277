#include "engine/runtime/session.h"

#include <algorithm>

#include "engine/model/forward.h"
#include "engine/model/kv_cache.h"
#include "engine/base/thread_pool.h"

namespace tern {

namespace {
constexpr int64_t kDefaultCtx = 4096;
}

int64_t default_context(const HParams& hp, int64_t requested) {
    if (requested > 0) return requested;
    return hp.n_ctx_train > 0 ? std::min(hp.n_ctx_train, kDefaultCtx) : kDefaultCtx;
}

Session::Session(std::shared_ptr<const Model> model, SessionOptions opts)
    : model_(std::move(model)),
      pool_(opts.pool ? opts.pool : std::make_shared<ThreadPool>(opts.threads)),
      kv_(std::make_unique<KvCache>(model_->hparams(), default_context(model_->hparams(), opts.n_ctx),
                                    opts.kv_f16 ? KvType::F16 : KvType::F32)),
      ws_(std::make_unique<ForwardWorkspace>()) {}

Session::~Session() = default;

std::span<const float> Session::eval(std::span<const int32_t> tokens, bool all_logits) {
    const SeqBatch batch[] = {{kv_.get(), tokens, all_logits}};
    forward(*model_, batch, *pool_, *ws_);
    return sequence_logits(*model_, *ws_, 0);
}

int64_t Session::n_past() const { return kv_->n_past; }
int64_t Session::n_ctx() const { return kv_->n_ctx; }
void Session::reset() { kv_->clear(); }
KvCache& Session::kv_cache() { return *kv_; }
ThreadPool& Session::pool() { return *pool_; }
ForwardWorkspace& Session::workspace() { return *ws_; }

}  // namespace tern
