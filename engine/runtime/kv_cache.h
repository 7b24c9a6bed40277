#pragma once
// The keys and values of one sequence, F32. Layout [layer][kv_head][position][head_dim], so
// the attention of one head walks contiguous memory. The buffer is allocated uninitialized:
// pages are touched (and count in RSS) only as positions fill up.
#include <cstdint>

#include "engine/kernels/ternary_matrix.h"
#include "engine/model/model.h"

namespace tern {

struct KvCache {
    KvCache(const HParams& hp, int64_t n_ctx);

    int64_t n_ctx = 0;    // positions available
    int64_t n_past = 0;   // positions filled
    int64_t n_layer = 0, n_head_kv = 0, head_dim = 0;

    float* k(int64_t layer, int64_t head, int64_t pos) { return k_.get() + offset(layer, head, pos); }
    float* v(int64_t layer, int64_t head, int64_t pos) { return v_.get() + offset(layer, head, pos); }
    const float* k(int64_t layer, int64_t head, int64_t pos) const { return k_.get() + offset(layer, head, pos); }
    const float* v(int64_t layer, int64_t head, int64_t pos) const { return v_.get() + offset(layer, head, pos); }

    void clear() { n_past = 0; }
    uint64_t bytes() const { return 2 * elements_ * sizeof(float); }

private:
    int64_t offset(int64_t layer, int64_t head, int64_t pos) const {
        return ((layer * n_head_kv + head) * n_ctx + pos) * head_dim;
    }
    uint64_t elements_ = 0;
    AlignedPtr<float> k_, v_;
};

}  // namespace tern
