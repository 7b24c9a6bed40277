#pragma once
// The shared building blocks of the forward pass, each parallelized on the ThreadPool.
#include <cstdint>
#include <span>

#include "engine/kernels/kernel_set.h"
#include "engine/model/weights.h"

namespace tern {

class ThreadPool;

// y = W x for several weights that read the same input rows (q/k/v, gate/up): ternary
// weights quantize the input once (per token, bitnet.cpp's scheme) and every output row of
// every weight is one work item, so the threads split them in a single parallel region.
struct LinearJob {
    const LinearWeight* w;
    float* y;       // y[m * ldy + n]
    int64_t ldy;
};
void run_linears(const KernelSet& ks, ThreadPool& pool, std::span<const LinearJob> jobs,
                 const float* x, int64_t m, int64_t k, QuantizedActs& acts);

// The parts of run_linears, for callers that put products into a parallel region of their own:
// quantize x once for the jobs that need int8 activations, then output rows [n0, n1) of one job.
void quantize_for(const KernelSet& ks, std::span<const LinearJob> jobs, const float* x, int64_t m, int64_t k,
                  QuantizedActs& acts);
void linear_rows(const KernelSet& ks, const LinearJob& job, int64_t n0, int64_t n1, const float* x, int64_t m,
                 int64_t k, const QuantizedActs& acts);
// Whether a product of this many multiply-adds is worth waking the pool for.
bool worth_parallel(int64_t macs);

// gate[r][i] = act(gate x) * (up x) for m rows of f features: the gate and up rows of each chunk
// are multiplied and gated together, in one parallel region (no separate pass over the rows).
void run_gate_up(const KernelSet& ks, ThreadPool& pool, bool relu_squared, const LinearWeight& w_gate,
                 const LinearWeight& w_up, const float* x, int64_t m, int64_t k, int64_t f, float* gate, float* up,
                 QuantizedActs& acts);

// out[r] = rmsnorm(x[r]) * w for m rows of n values.
void rmsnorm_rows(const KernelSet& ks, ThreadPool& pool, const float* x, int64_t m, int64_t n,
                  const float* w, float eps, float* out);

// NEOX rotation of pairs (i, i + rope_dim/2) of each head of each row, with per-row
// cos/sin tables [row][rope_dim/2].
void rope_rows(float* x, int64_t m, int64_t n_heads, int64_t head_dim, int64_t rope_dim,
               const float* cos_tab, const float* sin_tab);
// The same rotation for heads [h0, h1) of one row (cos/sin: that row's tables).
void rope_heads(float* row, int64_t h0, int64_t h1, int64_t head_dim, int64_t rope_dim, const float* cos_tab,
                const float* sin_tab);

}  // namespace tern
