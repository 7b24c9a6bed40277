#pragma once
// The keys and values of one sequence, F32 or F16. Layout [layer][kv_head][position][head_dim],
// so the attention of one head walks contiguous memory. The buffers are allocated
// uninitialized: pages are touched (and count in RSS) only as positions fill up.
#include <cstdint>

#include "engine/kernels/kernel_set.h"
#include "engine/kernels/ternary_matrix.h"
#include "engine/model/model.h"

namespace tern {

enum class KvType { F32, F16 };

struct KvCache {
    KvCache(const HParams& hp, int64_t n_ctx, KvType type = KvType::F32);

    int64_t n_ctx = 0;    // positions available
    int64_t n_past = 0;   // positions filled
    int64_t n_layer = 0, n_head_kv = 0, head_dim = 0;
    KvType type = KvType::F32;

    // Element offset of (layer, head, pos) in the K and V buffers.
    int64_t offset(int64_t layer, int64_t head, int64_t pos) const {
        return ((layer * n_head_kv + head) * n_ctx + pos) * head_dim;
    }
    // Typed bases (only the one matching `type` is allocated).
    float* k_f32() const { return k32_.get(); }
    float* v_f32() const { return v32_.get(); }
    uint16_t* k_f16() const { return k16_.get(); }
    uint16_t* v_f16() const { return v16_.get(); }

    // Writes head_dim values of key and value at (layer, head, pos); F16 caches convert with
    // the kernel set's vector rounding (bit-identical to the scalar codec).
    void store(const KernelSet& ks, int64_t layer, int64_t head, int64_t pos, const float* key, const float* value);

    void clear() { n_past = 0; }
    uint64_t bytes() const { return 2 * elements_ * (type == KvType::F16 ? 2 : 4); }

private:
    uint64_t elements_ = 0;
    AlignedPtr<float> k32_, v32_;
    AlignedPtr<uint16_t> k16_, v16_;
};

}  // namespace tern
