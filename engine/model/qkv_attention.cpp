#include "engine/model/qkv_attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/base/thread_pool.h"
#include "engine/model/blocks.h"
#include "engine/model/kv_cache.h"

namespace tern {

namespace {
// KV heads per thread below which ranges of heads balance worse than the row-split products.
constexpr int64_t kMinHeadsPerThread = 4;
}  // namespace

bool qkv_attention_applies(const HParams& hp, std::span<const SeqBatch> batch, int threads) {
    for (const SeqBatch& s : batch)
        if (s.tokens.size() != 1) return false;
    return threads == 1 || hp.n_head_kv >= kMinHeadsPerThread * threads;
}

void qkv_attention(const KernelSet& ks, ThreadPool& pool, const HParams& hp, const LayerWeights& L, int64_t layer,
                   std::span<const SeqBatch> batch, const float* xn, int64_t m, const float* rope_cos,
                   const float* rope_sin, float* q, float* k, float* v, float* out, ForwardWorkspace& ws) {
    const int64_t E = hp.n_embd, hd = hp.head_dim, half = hp.rope_dim / 2;
    const int64_t group = hp.n_head / hp.n_head_kv;
    const int64_t q_dim = hp.n_head * hd, kv_dim = hp.n_head_kv * hd;
    const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
    const LinearJob jobs[] = {{&L.wq, q, q_dim}, {&L.wk, k, kv_dim}, {&L.wv, v, kv_dim}};
    quantize_for(ks, jobs, xn, m, E, ws.acts_embd);
    int64_t max_ctx = 0;
    for (const SeqBatch& s : batch) max_ctx = std::max(max_ctx, s.kv->n_ctx);

    // KV heads [g0, g1): their query heads are [g0 * group, g1 * group), contiguous in q.
    auto body = [&](int64_t g0, int64_t g1) {
        linear_rows(ks, jobs[0], g0 * group * hd, g1 * group * hd, xn, m, E, ws.acts_embd);
        linear_rows(ks, jobs[1], g0 * hd, g1 * hd, xn, m, E, ws.acts_embd);
        linear_rows(ks, jobs[2], g0 * hd, g1 * hd, xn, m, E, ws.acts_embd);
        thread_local std::vector<float> scores;  // per thread: one row's attention weights
        if (scores.size() < static_cast<size_t>(max_ctx)) scores.resize(static_cast<size_t>(max_ctx));
        for (int64_t r = 0; r < m; ++r) {
            KvCache& kv = *batch[static_cast<size_t>(ws.row_seq[r])].kv;
            const int64_t pos = ws.row_pos[r];
            const float* c = rope_cos + r * half;
            const float* s = rope_sin + r * half;
            rope_heads(q + r * q_dim, g0 * group, g1 * group, hd, hp.rope_dim, c, s);
            rope_heads(k + r * kv_dim, g0, g1, hd, hp.rope_dim, c, s);
            for (int64_t g = g0; g < g1; ++g) {
                kv.store(ks, layer, g, pos, k + r * kv_dim + g * hd, v + r * kv_dim + g * hd);
                const int64_t base = kv.offset(layer, g, 0);
                for (int64_t h = g * group; h < (g + 1) * group; ++h) {
                    const float* qh = q + r * q_dim + h * hd;
                    float* oh = out + r * q_dim + h * hd;
                    if (kv.type == KvType::F16)
                        ks.attend_f16(qh, kv.k_f16() + base, kv.v_f16() + base, pos + 1, hd, scale, scores.data(), oh);
                    else
                        ks.attend_f32(qh, kv.k_f32() + base, kv.v_f32() + base, pos + 1, hd, scale, scores.data(), oh);
                }
            }
        }
    };
    // Waking the pool costs more than a tiny layer (tiny models).
    if (!worth_parallel((q_dim + 2 * kv_dim) * E * m)) body(0, hp.n_head_kv);
    else pool.parallel_for(hp.n_head_kv, 1, body);
}

}  // namespace tern
