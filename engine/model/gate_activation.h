#pragma once
// The FFN gate: f = act(gate) * up, act = SiLU or ReLU^2, over a span of one row.
#include <cstdint>

namespace tern {

struct KernelSet;

// g[i] = act(g[i]) * u[i] for i in [b, e); g and u do not overlap. SiLU runs the set's
// silu_gate (the same bits in every set).
void gate_span(const KernelSet& ks, bool relu_squared, float* g, const float* u, int64_t b, int64_t e);

// e^x as the SiLU gate computes it (kernels/silu_gate.h): within 2 ulp of std::exp over the
// float range, written so that loops over it vectorize (std::exp is a call per element).
// x > 88.7 gives +inf, x < -87.3 and NaN a tiny positive number (SiLU keeps a NaN input NaN
// through its numerator).
float exp_vectorizable(float x);

}  // namespace tern
