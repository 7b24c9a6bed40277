#pragma once
// Ternary rows unpacked to one code byte per weight (0, 1, 2, natural order) for the batched
// GEMMs that reuse a tile of rows for many tokens. AVX2 intrinsics: include it only from files
// compiled with AVX2 (the avx2 and avx512 sets).
#include <immintrin.h>

#include <cstdint>

#include "engine/kernels/ternary_matrix.h"

namespace tern {

namespace {

// Rows [n, n + rows) into out (rows x w.cols bytes).
inline void unpack_rows(const TernaryMatrix& w, int64_t n, int rows, uint8_t* out) {
    const __m256i m3 = _mm256_set1_epi8(3);
    const int64_t k = w.cols;
    for (int r = 0; r < rows; ++r) {
        const uint8_t* src = w.row_codes(n + r);
        uint8_t* dst = out + r * k;
        for (int64_t b = 0; b < k / 128; ++b) {
            // The row tile after next streams into L2 while this one is multiplied. One tile
            // ahead, into L1, left these loads waiting on DRAM for a quarter of the time of a
            // product of 8 tokens (harness, M = 4-16: +5-16 %, won 5-6 of 6 rounds).
            if ((b & 1) == 0) _mm_prefetch(reinterpret_cast<const char*>(src + b * 32 + 2 * rows * (k / 4)), _MM_HINT_T1);
            const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + b * 32));
            __m256i* d = reinterpret_cast<__m256i*>(dst + b * 128);
            _mm256_storeu_si256(d + 0, _mm256_and_si256(c, m3));
            _mm256_storeu_si256(d + 1, _mm256_and_si256(_mm256_srli_epi16(c, 2), m3));
            _mm256_storeu_si256(d + 2, _mm256_and_si256(_mm256_srli_epi16(c, 4), m3));
            _mm256_storeu_si256(d + 3, _mm256_and_si256(_mm256_srli_epi16(c, 6), m3));
        }
    }
}

}  // namespace

}  // namespace tern
