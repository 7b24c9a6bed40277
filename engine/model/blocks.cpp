#include "engine/model/blocks.h"

#include <algorithm>
#include <cmath>

#include "engine/base/thread_pool.h"
#include "engine/model/gate_activation.h"

namespace tern {

namespace {
// Output rows per work item: small enough to balance, large enough to amortize dispatch.
constexpr int64_t kRowGrain = 16;
// Below this many multiply-adds a product runs on the calling thread.
constexpr int64_t kMinParallelMacs = int64_t(1) << 17;

}  // namespace

bool worth_parallel(int64_t macs) { return macs >= kMinParallelMacs; }

void linear_rows(const KernelSet& ks, const LinearJob& job, int64_t n0, int64_t n1, const float* x, int64_t m,
                 int64_t k, const QuantizedActs& acts) {
    const LinearWeight& w = *job.w;
    switch (w.kind) {
        case LinearWeight::Kind::Ternary: ks.ternary_gemm(w.ternary, n0, n1, acts, job.y, job.ldy); break;
        case LinearWeight::Kind::F32: ks.f32_gemm(w.f32, n0, n1, x, m, k, job.y, job.ldy); break;
        case LinearWeight::Kind::F16: ks.f16_gemm(w.f16, n0, n1, x, m, k, job.y, job.ldy); break;
        case LinearWeight::Kind::Q8: q8_gemm(ks, w.q8, n0, n1, acts, job.y, job.ldy); break;
        case LinearWeight::Kind::None: return;
    }
    if (w.has_out_scale)
        for (int64_t r = 0; r < m; ++r)
            for (int64_t n = n0; n < n1; ++n) job.y[r * job.ldy + n] *= w.out_scale;
}

void quantize_for(const KernelSet& ks, std::span<const LinearJob> jobs, const float* x, int64_t m, int64_t k,
                  QuantizedActs& acts) {
    bool any_int8 = false;
    for (const LinearJob& j : jobs)
        any_int8 |= j.w->kind == LinearWeight::Kind::Ternary || j.w->kind == LinearWeight::Kind::Q8;
    if (any_int8) {
        acts.resize(m, k);
        ks.quantize_acts(x, m, k, k, acts);
    }
}

void run_linears(const KernelSet& ks, ThreadPool& pool, std::span<const LinearJob> jobs,
                 const float* x, int64_t m, int64_t k, QuantizedActs& acts) {
    int64_t total = 0;
    for (const LinearJob& j : jobs) total += j.w->rows;
    quantize_for(ks, jobs, x, m, k, acts);
    auto body = [&](int64_t begin, int64_t end) {
        int64_t base = 0;
        for (const LinearJob& j : jobs) {
            const int64_t lo = std::max(begin, base), hi = std::min(end, base + j.w->rows);
            if (lo < hi) linear_rows(ks, j, lo - base, hi - base, x, m, k, acts);
            base += j.w->rows;
        }
    };
    // Waking the pool costs more than a tiny product (tiny models, single-token decode).
    if (!worth_parallel(total * k * m)) body(0, total);
    else pool.parallel_for(total, kRowGrain, body);
}

void run_gate_up(const KernelSet& ks, ThreadPool& pool, bool relu_squared, const LinearWeight& w_gate,
                 const LinearWeight& w_up, const float* x, int64_t m, int64_t k, int64_t f, float* gate, float* up,
                 QuantizedActs& acts) {
    const LinearJob jobs[] = {{&w_gate, gate, f}, {&w_up, up, f}};
    quantize_for(ks, jobs, x, m, k, acts);
    auto body = [&](int64_t b, int64_t e) {
        for (const LinearJob& j : jobs) linear_rows(ks, j, b, e, x, m, k, acts);
        for (int64_t r = 0; r < m; ++r) gate_span(ks, relu_squared, gate + r * f, up + r * f, b, e);
    };
    if (!worth_parallel(2 * f * k * m)) body(0, f);
    else pool.parallel_for(f, kRowGrain, body);
}

void rmsnorm_rows(const KernelSet& ks, ThreadPool& pool, const float* x, int64_t m, int64_t n,
                  const float* w, float eps, float* out) {
    if (m == 1) {
        ks.rmsnorm(x, w, n, eps, out);
        return;
    }
    pool.parallel_for(m, 1, [&](int64_t b, int64_t e) {
        for (int64_t r = b; r < e; ++r) ks.rmsnorm(x + r * n, w, n, eps, out + r * n);
    });
}

void rope_heads(float* row, int64_t h0, int64_t h1, int64_t head_dim, int64_t rope_dim, const float* c,
                const float* s) {
    const int64_t half = rope_dim / 2;
    for (int64_t h = h0; h < h1; ++h) {
        float* v = row + h * head_dim;
        for (int64_t i = 0; i < half; ++i) {
            const float a = v[i], b = v[i + half];
            v[i] = a * c[i] - b * s[i];
            v[i + half] = a * s[i] + b * c[i];
        }
    }
}

void rope_rows(float* x, int64_t m, int64_t n_heads, int64_t head_dim, int64_t rope_dim,
               const float* cos_tab, const float* sin_tab) {
    const int64_t half = rope_dim / 2;
    for (int64_t r = 0; r < m; ++r)
        rope_heads(x + r * n_heads * head_dim, 0, n_heads, head_dim, rope_dim, cos_tab + r * half,
                   sin_tab + r * half);
}

}  // namespace tern
