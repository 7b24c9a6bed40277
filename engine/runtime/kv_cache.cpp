#include "engine/runtime/kv_cache.h"

#include <limits>
#include <string>

#include "engine/runtime/error.h"

namespace tern {

KvCache::KvCache(const HParams& hp, int64_t ctx)
    : n_ctx(ctx), n_layer(hp.n_layer), n_head_kv(hp.n_head_kv), head_dim(hp.head_dim) {
    if (ctx <= 0) throw Error("KV cache: context length must be positive, got " + std::to_string(ctx));
    const double elems = static_cast<double>(n_layer) * n_head_kv * n_ctx * head_dim;
    if (elems > static_cast<double>(std::numeric_limits<int64_t>::max() / 8))
        throw Error("KV cache: n_ctx " + std::to_string(ctx) + " is too large");
    elements_ = static_cast<uint64_t>(n_layer * n_head_kv * n_ctx * head_dim);
    k_ = make_aligned<float>(elements_);
    v_ = make_aligned<float>(elements_);
    if (!k_ || !v_)
        throw Error("KV cache: out of memory for " + std::to_string(bytes() >> 20) + " MiB (n_ctx " +
                    std::to_string(ctx) + ")");
}

}  // namespace tern
