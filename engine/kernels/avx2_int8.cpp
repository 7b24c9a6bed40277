// AVX2 products of int8 rows (the re-quantized output head) with int8 activations.
// Weights are in [-127, 127] and activations in [-128, 127]: |a| fits an unsigned byte and
// each maddubs pair sum is at most 2 * 128 * 127 < 32768, so nothing saturates.
#include <immintrin.h>

#include "engine/kernels/int8_rows.h"

namespace tern {

namespace {

inline int32_t hsum_i32(__m256i v) {
    const __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    const __m128i s2 = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    return _mm_cvtsi128_si32(_mm_add_epi32(s2, _mm_shuffle_epi32(s2, 0xb1)));
}

int32_t dot_i8(const int8_t* w, const int8_t* a, int64_t k) {
    __m256i acc = _mm256_setzero_si256();
    const __m256i ones = _mm256_set1_epi16(1);
    for (int64_t i = 0; i < k; i += 32) {
        const __m256i av = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i));
        const __m256i wv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + i));
        const __m256i abs_a = _mm256_sign_epi8(av, av);
        const __m256i w_signed = _mm256_sign_epi8(wv, av);
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(abs_a, w_signed), ones));
    }
    return hsum_i32(acc);
}

// Four rows against one activation row, in lockstep: the decode head reads its rows as four
// concurrent streams (see kGemvStreams in avx2.cpp: more DRAM requests in flight).
// Same exact int32 sums as dot_i8.
void dot4_i8(const int8_t* const* w, const int8_t* a, int64_t k, int32_t* out) {
    __m256i acc[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(),
                      _mm256_setzero_si256()};
    const __m256i ones = _mm256_set1_epi16(1);
    for (int64_t i = 0; i < k; i += 32) {
        const __m256i av = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i));
        const __m256i abs_a = _mm256_sign_epi8(av, av);
        for (int r = 0; r < 4; ++r) {
            const __m256i wv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[r] + i));
            const __m256i prod = _mm256_maddubs_epi16(abs_a, _mm256_sign_epi8(wv, av));
            acc[r] = _mm256_add_epi32(acc[r], _mm256_madd_epi16(prod, ones));
        }
    }
    for (int r = 0; r < 4; ++r) out[r] = hsum_i32(acc[r]);
}

}  // namespace

void avx2_int8_gemm(const int8_t* w, const float* row_scale, int64_t n0, int64_t n1, const QuantizedActs& x,
                    float* y, int64_t ldy) {
    const int64_t k = x.cols;
    if (x.rows == 1) {
        const int64_t part = (n1 - n0) / 4;
        for (int64_t i = 0; i < part; ++i) {
            const int64_t rows[4] = {n0 + i, n0 + part + i, n0 + 2 * part + i, n0 + 3 * part + i};
            const int8_t* wr[4];
            for (int r = 0; r < 4; ++r) wr[r] = w + rows[r] * k;
            int32_t acc[4];
            dot4_i8(wr, x.row(0), k, acc);
            for (int r = 0; r < 4; ++r) y[rows[r]] = static_cast<float>(acc[r]) * row_scale[rows[r]] * x.dequant[0];
        }
        n0 += 4 * part;  // the remaining rows below
    }
    for (int64_t n = n0; n < n1; ++n)
        for (int64_t m = 0; m < x.rows; ++m)
            y[m * ldy + n] = static_cast<float>(dot_i8(w + n * k, x.row(m), k)) * row_scale[n] * x.dequant[static_cast<size_t>(m)];
}

}  // namespace tern
