#include "engine/model/head_q8.h"

#include <algorithm>
#include <cmath>

#include "engine/kernels/kernel_set.h"
#include "engine/runtime/error.h"
#include "engine/runtime/thread_pool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define TERN_Q8_X86 1
#endif

namespace tern {

namespace {
int32_t dot_i8_scalar(const int8_t* a, const int8_t* b, int64_t k) {
    int32_t s = 0;
    for (int64_t i = 0; i < k; ++i) s += int32_t(a[i]) * int32_t(b[i]);
    return s;
}

#ifdef TERN_Q8_X86
// Weights are in [-127, 127] and activations in [-128, 127]: |a| fits an unsigned byte and
// each maddubs pair sum is at most 2 * 128 * 127 < 32768, so nothing saturates.
__attribute__((target("avx2"))) int32_t dot_i8_avx2(const int8_t* w, const int8_t* a, int64_t k) {
    __m256i acc = _mm256_setzero_si256();
    const __m256i ones = _mm256_set1_epi16(1);
    for (int64_t i = 0; i < k; i += 32) {
        const __m256i av = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i));
        const __m256i wv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + i));
        const __m256i abs_a = _mm256_sign_epi8(av, av);
        const __m256i w_signed = _mm256_sign_epi8(wv, av);
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(abs_a, w_signed), ones));
    }
    const __m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
    const __m128i s2 = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    const __m128i s3 = _mm_add_epi32(s2, _mm_shuffle_epi32(s2, 0xb1));
    return _mm_cvtsi128_si32(s3);
}

// Four rows against one activation row, in lockstep: the decode head reads its rows as four
// concurrent streams (see kGemvStreams in kernels/avx2.cpp: more DRAM requests in flight).
// Same exact int32 sums as dot_i8_avx2.
__attribute__((target("avx2"))) void dot4_i8_avx2(const int8_t* const* w, const int8_t* a, int64_t k,
                                                 int32_t* out) {
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
    for (int r = 0; r < 4; ++r) {
        const __m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc[r]), _mm256_extracti128_si256(acc[r], 1));
        const __m128i s2 = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
        out[r] = _mm_cvtsi128_si32(_mm_add_epi32(s2, _mm_shuffle_epi32(s2, 0xb1)));
    }
}
#endif
}  // namespace

bool q8_simd_available() {
#ifdef TERN_Q8_X86
    return cpu_features().avx2;
#else
    return false;
#endif
}

Q8Matrix quantize_q8_rows(int64_t rows, int64_t cols, const std::function<void(int64_t, float*)>& row_to_float,
                          ThreadPool& pool) {
    if (cols % 128 != 0) throw Error("q8 head: " + std::to_string(cols) + " columns is not a multiple of 128");
    Q8Matrix m;
    m.rows = rows;
    m.cols = cols;
    m.q = make_aligned<int8_t>(static_cast<size_t>(rows * cols));
    if (!m.q) throw Error("q8 head: out of memory");
    m.scale.assign(static_cast<size_t>(rows), 0.0f);
    pool.parallel_for(rows, 64, [&](int64_t b, int64_t e) {
        std::vector<float> row(static_cast<size_t>(cols));
        for (int64_t r = b; r < e; ++r) {
            row_to_float(r, row.data());
            // Eight independent maxima so the compiler can keep them in one vector register.
            float lanes[8] = {};
            for (int64_t c = 0; c < cols; c += 8)
                for (int l = 0; l < 8; ++l) {
                    const float a = std::fabs(row[static_cast<size_t>(c + l)]);
                    lanes[l] = a > lanes[l] ? a : lanes[l];
                }
            float amax = 0.0f;
            for (float l : lanes) amax = std::max(amax, l);
            const float d = amax / 127.0f;
            const float inv = d > 0.0f ? 1.0f / d : 0.0f;
            int8_t* __restrict q = m.q.get() + r * cols;  // int8 stores would otherwise alias everything
            // Round half away from zero; |v| <= 127 by construction (a plain loop that vectorizes,
            // unlike nearbyint, which is a library call here).
            const float* __restrict src = row.data();
            for (int64_t c = 0; c < cols; ++c) {
                const float v = src[c] * inv;
                q[c] = static_cast<int8_t>(static_cast<int32_t>(v + std::copysign(0.5f, v)));
            }
            m.scale[static_cast<size_t>(r)] = d;
        }
    });
    return m;
}

void q8_gemm(const Q8Matrix& w, int64_t n0, int64_t n1, const QuantizedActs& x, float* y, int64_t ldy, bool simd) {
    const int64_t k = w.cols;
#ifdef TERN_Q8_X86
    if (simd && x.rows == 1) {
        const int64_t part = (n1 - n0) / 4;
        for (int64_t i = 0; i < part; ++i) {
            const int64_t rows[4] = {n0 + i, n0 + part + i, n0 + 2 * part + i, n0 + 3 * part + i};
            const int8_t* wr[4];
            for (int r = 0; r < 4; ++r) wr[r] = w.q.get() + rows[r] * k;
            int32_t acc[4];
            dot4_i8_avx2(wr, x.row(0), k, acc);
            for (int r = 0; r < 4; ++r)
                y[rows[r]] = static_cast<float>(acc[r]) * w.scale[static_cast<size_t>(rows[r])] * x.dequant[0];
        }
        n0 += 4 * part;  // the remaining rows below
    }
#endif
    for (int64_t n = n0; n < n1; ++n) {
        const int8_t* wr = w.q.get() + n * k;
        const float ws = w.scale[static_cast<size_t>(n)];
        for (int64_t m = 0; m < x.rows; ++m) {
#ifdef TERN_Q8_X86
            const int32_t acc = simd ? dot_i8_avx2(wr, x.row(m), k) : dot_i8_scalar(wr, x.row(m), k);
#else
            (void)simd;
            const int32_t acc = dot_i8_scalar(wr, x.row(m), k);
#endif
            y[m * ldy + n] = static_cast<float>(acc) * ws * x.dequant[static_cast<size_t>(m)];
        }
    }
}

}  // namespace tern
