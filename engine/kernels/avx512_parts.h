#pragma once
// Parts of the AVX-512 sets that live in their own files (compiled with the AVX-512 flags) and
// are shared by the sets with and without VNNI.
#include <cstdint>

namespace tern::avx512 {

// avx512_gate.cpp
void silu_gate(float* g, const float* u, int64_t n);

// avx512_attention.cpp (KernelSet::attend_*, attend_rows_*)
void attend_f32(const float* q, const float* k, const float* v, int64_t n, int64_t hd, float scale, float* scores,
                float* out);
void attend_f16(const float* q, const uint16_t* k, const uint16_t* v, int64_t n, int64_t hd, float scale,
                float* scores, float* out);
void attend_rows_f32(const float* q, int64_t ldq, int64_t rows, const float* k, const float* v, int64_t n, int64_t hd,
                     float scale, float* scores, float* out, int64_t ldo);
void attend_rows_f16(const float* q, int64_t ldq, int64_t rows, const uint16_t* k, const uint16_t* v, int64_t n,
                     int64_t hd, float scale, float* scores, float* out, int64_t ldo);

}  // namespace tern::avx512
