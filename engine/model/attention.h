#pragma once
// Causal softmax attention of the batch rows against their sequences' KV caches.
#include <cstdint>
#include <span>

#include "engine/kernels/kernel_set.h"
#include "engine/model/forward.h"

namespace tern {

// q: [rows][n_head * head_dim] (rotated); out: same shape. Row r belongs to sequence
// ws.row_seq[r] at position ws.row_pos[r], whose keys 0..pos are already in its cache.
// Work items are (sequence, head, block of query rows), taken dynamically by the threads.
void attention_layer(const KernelSet& ks, ThreadPool& pool, const HParams& hp, int64_t layer,
                     std::span<const SeqBatch> batch, const float* q, float* out,
                     ForwardWorkspace& ws);

}  // namespace tern
