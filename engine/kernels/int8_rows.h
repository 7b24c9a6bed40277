#pragma once
// Int8-row products shared between kernel sets (KernelSet::int8_gemm). Each is defined in a
// file compiled with the flags its name says; only sets whose own isa list includes those
// extensions may point at it.
#include <cstdint>

#include "engine/kernels/ternary_matrix.h"

namespace tern {

// avx2_int8.cpp (AVX2): four concurrent row streams x blocks of 2 tokens (int8_tiles.h).
void avx2_int8_gemm(const int8_t* w, const float* row_scale, int64_t n0, int64_t n1, const QuantizedActs& x,
                    float* y, int64_t ldy);

}  // namespace tern
