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

// out[r] = rmsnorm(x[r]) * w for m rows of n values.
void rmsnorm_rows(const KernelSet& ks, ThreadPool& pool, const float* x, int64_t m, int64_t n,
                  const float* w, float eps, float* out);

// NEOX rotation of pairs (i, i + rope_dim/2) of each head of each row, with per-row
// cos/sin tables [row][rope_dim/2].
void rope_rows(float* x, int64_t m, int64_t n_heads, int64_t head_dim, int64_t rope_dim,
               const float* cos_tab, const float* sin_tab);

// f[i] = act(g[i]) * u[i].
void gate_rows(ThreadPool& pool, bool relu_squared, float* g, const float* u, int64_t count);

}  // namespace tern
