#pragma once
// Parts of the AVX-512 sets that live in their own files (compiled with the AVX-512 flags) and
// are shared by the sets with and without VNNI.
#include <cstdint>

namespace tern::avx512 {

// avx512_gate.cpp
void silu_gate(float* g, const float* u, int64_t n);

}  // namespace tern::avx512
