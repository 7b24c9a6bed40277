// The SiLU gate at 16 floats per vector for both AVX-512 sets (silu_gate.h; built with the
// AVX-512 set's flags, no FMA contraction, so it matches the scalar set bit for bit).
#include "engine/kernels/avx512_parts.h"
#include "engine/kernels/silu_gate.h"

namespace tern::avx512 {

void silu_gate(float* g, const float* u, int64_t n) { silu_detail::silu_gate(g, u, n); }

}  // namespace tern::avx512
