// The SiLU gate at 8 floats per vector (silu_gate.h; built with the AVX2 set's flags, no FMA
// contraction, so it matches the scalar set bit for bit).
#include "engine/kernels/avx2_parts.h"
#include "engine/kernels/silu_gate.h"

namespace tern::avx2 {

void silu_gate(float* g, const float* u, int64_t n) { silu_detail::silu_gate(g, u, n); }

}  // namespace tern::avx2
