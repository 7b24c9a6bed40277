#pragma once
// Shared pieces of the AVX2 kernel set's files (avx2*.cpp, all compiled with the same flags):
// horizontal sums, float/F16 loads, and the dot/axpy templates the float kernels and the
// attention fallback both use. Internal linkage: each file gets its own copy.
#include <immintrin.h>

#include <cstdint>

#include "engine/kernels/scalar_common.h"

namespace tern {

namespace {

// 128-blocks of int16 maddubs sums (<= 32 per lane) added up before widening to int32.
constexpr int64_t kFlushBlocks = 8;

inline int32_t hsum_i32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(s);
}

inline float hsum_f32(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

inline float hmax_f32(__m256 v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// Eight int32 vectors -> their eight horizontal sums, in order.
inline __m256i hsum8_i32(const __m256i* v) {
    const __m256i u0 = _mm256_hadd_epi32(_mm256_hadd_epi32(v[0], v[1]), _mm256_hadd_epi32(v[2], v[3]));
    const __m256i u1 = _mm256_hadd_epi32(_mm256_hadd_epi32(v[4], v[5]), _mm256_hadd_epi32(v[6], v[7]));
    return _mm256_add_epi32(_mm256_permute2x128_si256(u0, u1, 0x20),
                            _mm256_permute2x128_si256(u0, u1, 0x31));
}

inline __m256i load256(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }

inline __m256 load8_f16(const uint16_t* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
inline __m256 load8_f32(const float* p) { return _mm256_loadu_ps(p); }
inline float load1(const float* p) { return *p; }
inline float load1(const uint16_t* p) { return scalar_detail::f16_to_f32(*p); }
inline __m256 load8(const float* p) { return load8_f32(p); }
inline __m256 load8(const uint16_t* p) { return load8_f16(p); }

template <class W>
float dot_any(const W* a, const float* b, int64_t n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = _mm256_fmadd_ps(load8(a + i), _mm256_loadu_ps(b + i), acc0);
        acc1 = _mm256_fmadd_ps(load8(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
    }
    if (i + 8 <= n) {
        acc0 = _mm256_fmadd_ps(load8(a + i), _mm256_loadu_ps(b + i), acc0);
        i += 8;
    }
    float s = hsum_f32(_mm256_add_ps(acc0, acc1));
    for (; i < n; ++i) s += load1(a + i) * b[i];
    return s;
}

template <class W>
void axpy_any(float a, const W* x, float* y, int64_t n) {
    const __m256 va = _mm256_set1_ps(a);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, load8(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; ++i) y[i] += a * load1(x + i);
}

}  // namespace

}  // namespace tern
