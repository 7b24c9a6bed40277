#pragma once
// The attention half of a layer for decode steps (one token per sequence) in one parallel
// region: the threads take ranges of KV heads, and for its heads a thread computes the q, k and
// v rows, rotates them, stores the keys and values and runs the attention of the query heads
// that share them. One meeting of the threads instead of two, the rotation and the cache
// stores no longer on one thread, and each KV head read once per step by one thread even when
// several query heads share it. Results are bit-identical to the separate steps.
#include <cstdint>
#include <span>

#include "engine/kernels/kernel_set.h"
#include "engine/model/forward.h"
#include "engine/model/weights.h"

namespace tern {

// Whether the fused region applies: a decode step (one token per sequence) with enough KV heads
// to balance the threads (otherwise the separate steps, which split rows and query heads).
bool qkv_attention_applies(const HParams& hp, std::span<const SeqBatch> batch, int threads);

// xn: [m][n_embd] normed input; q/k/v: [m][n_head*hd] / [m][n_head_kv*hd] scratch; out: [m][n_head*hd].
// rope_cos/sin: [m][rope_dim/2]. Row r belongs to sequence ws.row_seq[r] at position ws.row_pos[r].
void qkv_attention(const KernelSet& ks, ThreadPool& pool, const HParams& hp, const LayerWeights& L, int64_t layer,
                   std::span<const SeqBatch> batch, const float* xn, int64_t m, const float* rope_cos,
                   const float* rope_sin, float* q, float* k, float* v, float* out, ForwardWorkspace& ws);

}  // namespace tern
