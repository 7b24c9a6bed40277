#include "engine/model/gate_activation.h"

#include <cmath>

#include "engine/kernels/kernel_set.h"
#include "engine/kernels/silu_gate.h"

namespace tern {

float exp_vectorizable(float x) { return silu_detail::exp_poly(x); }

void gate_span(const KernelSet& ks, bool relu_squared, float* g, const float* u, int64_t b, int64_t e) {
    if (!relu_squared) return ks.silu_gate(g + b, u + b, e - b);
    float* __restrict gr = g;  // g and u never overlap: lets the loop vectorize
    const float* __restrict ur = u;
    for (int64_t i = b; i < e; ++i) {
        const float x = gr[i];
        // relu(x) exactly (2x and the halving are exact), written without a branch so the loop
        // vectorizes under the default trapping-math rules.
        const float r = 0.5f * (x + std::fabs(x));
        gr[i] = r * r * ur[i];
    }
}

}  // namespace tern
