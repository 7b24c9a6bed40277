#pragma once
// The AVX2 set's batched GEMM, float kernels, attention and roof probes, each in its own file
// compiled with the AVX2 flags; avx2.cpp puts them into the set's table (kernel_set.h says what
// each does).
#include <cstddef>
#include <cstdint>

namespace tern {
struct TernaryMatrix;
struct QuantizedActs;
}  // namespace tern

namespace tern::avx2 {

// avx2_gemm.cpp: KernelSet::ternary_gemm for x.rows > 1, given the per-token group sums of q
// (gsum[t * groups + g]).
void ternary_gemm_tokens(const TernaryMatrix& w, int64_t n0, int64_t n1, const QuantizedActs& x, const int32_t* gsum,
                         float* y, int64_t ldy);

// avx2_float.cpp
void f32_gemm(const float* w, int64_t n0, int64_t n1, const float* x, int64_t m, int64_t k, float* y, int64_t ldy);
void f16_gemm(const uint16_t* w, int64_t n0, int64_t n1, const float* x, int64_t m, int64_t k, float* y,
              int64_t ldy);
float dot_f32(const float* a, const float* b, int64_t n);
float dot_f16_f32(const uint16_t* a, const float* b, int64_t n);
void axpy_f32(float a, const float* x, float* y, int64_t n);
void axpy_f16_f32(float a, const uint16_t* x, float* y, int64_t n);
void rmsnorm(const float* x, const float* w, int64_t n, float eps, float* out);
void f32_to_f16_row(const float* x, uint16_t* out, int64_t n);

// avx2_gate.cpp
void silu_gate(float* g, const float* u, int64_t n);

// avx2_attention.cpp
void attend_f32(const float* q, const float* k, const float* v, int64_t n, int64_t hd, float scale, float* scores,
                float* out);
void attend_f16(const float* q, const uint16_t* k, const uint16_t* v, int64_t n, int64_t hd, float scale,
                float* scores, float* out);
void attend_rows_f32(const float* q, int64_t ldq, int64_t rows, const float* k, const float* v, int64_t n, int64_t hd,
                     float scale, float* scores, float* out, int64_t ldo);
void attend_rows_f16(const float* q, int64_t ldq, int64_t rows, const uint16_t* k, const uint16_t* v, int64_t n,
                     int64_t hd, float scale, float* scores, float* out, int64_t ldo);

// avx2_probes.cpp
uint64_t sum_bytes(const uint8_t* p, size_t bytes);
int64_t maddubs_ymm(int64_t iterations);

}  // namespace tern::avx2
