#include "engine/model/kv_cache.h"

#include <algorithm>
#include <limits>
#include <string>

#include "engine/base/error.h"
#include "engine/kernels/kernel_set.h"

namespace tern {

KvCache::KvCache(const HParams& hp, int64_t ctx, KvType t)
    : n_ctx(ctx), n_layer(hp.n_layer), n_head_kv(hp.n_head_kv), head_dim(hp.head_dim), type(t) {
    if (ctx <= 0) throw Error("KV cache: context length must be positive, got " + std::to_string(ctx));
    const double elems = static_cast<double>(n_layer) * n_head_kv * n_ctx * head_dim;
    if (elems > static_cast<double>(std::numeric_limits<int64_t>::max() / 8))
        throw Error("KV cache: n_ctx " + std::to_string(ctx) + " is too large");
    elements_ = static_cast<uint64_t>(n_layer * n_head_kv * n_ctx * head_dim);
    bool ok;
    if (type == KvType::F16) {
        k16_ = make_aligned<uint16_t>(elements_);
        v16_ = make_aligned<uint16_t>(elements_);
        ok = k16_ && v16_;
    } else {
        k32_ = make_aligned<float>(elements_);
        v32_ = make_aligned<float>(elements_);
        ok = k32_ && v32_;
    }
    if (!ok)
        throw Error("KV cache: out of memory for " + std::to_string(bytes() >> 20) + " MiB (n_ctx " +
                    std::to_string(ctx) + ")");
}

void KvCache::store(const KernelSet& ks, int64_t layer, int64_t head, int64_t pos, const float* key, const float* value) {
    const int64_t o = offset(layer, head, pos);
    if (type == KvType::F16) {
        ks.f32_to_f16_row(key, k16_.get() + o, head_dim);
        ks.f32_to_f16_row(value, v16_.get() + o, head_dim);
    } else {
        std::copy_n(key, head_dim, k32_.get() + o);
        std::copy_n(value, head_dim, v32_.get() + o);
    }
}

}  // namespace tern
