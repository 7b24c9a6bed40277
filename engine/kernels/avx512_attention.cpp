// AVX-512 softmax attention for both AVX-512 sets (KernelSet::attend_*, attend_rows_*): 16
// floats per vector, and in prefill up to four query rows per pass over the keys and values.
// Prefill attention is bound by its multiply-adds and F16 widenings: a pass of four rows widens
// each key and value once for all four, and a CPU with full-width AVX-512 units (Zen 5, Xeon)
// does twice the ymm multiply-adds per cycle. Head sizes that are not a multiple of 16 take the
// AVX2 kernels.
#include "engine/kernels/avx512_common.h"

#include <algorithm>
#include <cmath>

#include "engine/kernels/avx2_parts.h"
#include "engine/kernels/avx512_parts.h"
#include "engine/kernels/exp_poly.h"

namespace tern::avx512 {

namespace {

inline __m512 load16(const float* p) { return _mm512_loadu_ps(p); }
inline __m512 load16(const uint16_t* p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}

// Four vectors -> their four horizontal sums, in order.
inline __m128 hsum4(const __m512* v) {
    __m256 h[4];
    for (int u = 0; u < 4; ++u)
        h[u] = _mm256_add_ps(_mm512_castps512_ps256(v[u]), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v[u]), 1)));
    const __m256 t = _mm256_hadd_ps(_mm256_hadd_ps(h[0], h[1]), _mm256_hadd_ps(h[2], h[3]));
    return _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
}

// One key's score with the arithmetic of a 4-key block (the same multiply-add chain and sum
// tree), so a key gives the same bits wherever it falls: a prefill row computes what decode
// computes for that position.
template <class W>
inline float score_one(const float* q, const W* key, int64_t hd, float scale) {
    __m512 acc[4] = {_mm512_setzero_ps()};
    for (int64_t d = 0; d < hd; d += 16) acc[0] = _mm512_fmadd_ps(load16(key + d), _mm512_loadu_ps(q + d), acc[0]);
    acc[1] = acc[2] = acc[3] = acc[0];
    return _mm_cvtss_f32(hsum4(acc)) * scale;
}

// e^x for x <= 0 (softmax arguments after the max is subtracted): exp_poly.h.
inline __m512 exp_nonpositive(__m512 x) {
    using namespace exp_poly;
    x = _mm512_max_ps(x, _mm512_set1_ps(kLowest));
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(kLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(kLn2Hi), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(kLn2Lo), r);
    __m512 p = _mm512_set1_ps(kTaylor[0]);
    for (int i = 1; i < 8; ++i) p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kTaylor[i]));
    const __m512i e = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
    return _mm512_mul_ps(p, _mm512_castsi512_ps(e));
}

// s[j] = e^(s[j] - max) for j < n; returns 1 / their sum.
inline float exp_in_place(float* s, int64_t n) {
    __m512 vmax = _mm512_set1_ps(-INFINITY);
    int64_t j = 0;
    for (; j + 16 <= n; j += 16) vmax = _mm512_max_ps(vmax, _mm512_loadu_ps(s + j));
    if (j < n)
        vmax = _mm512_max_ps(vmax, _mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), static_cast<__mmask16>((1u << (n - j)) - 1), s + j));
    const float mx = _mm512_reduce_max_ps(vmax);
    const __m512 vm = _mm512_set1_ps(mx);
    __m512 vsum = _mm512_setzero_ps();
    for (j = 0; j + 16 <= n; j += 16) {
        const __m512 e = exp_nonpositive(_mm512_sub_ps(_mm512_loadu_ps(s + j), vm));
        _mm512_storeu_ps(s + j, e);
        vsum = _mm512_add_ps(vsum, e);
    }
    if (j < n) {
        const auto m = static_cast<__mmask16>((1u << (n - j)) - 1);
        const __m512 e = exp_nonpositive(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, s + j), vm));
        _mm512_mask_storeu_ps(s + j, m, e);
        vsum = _mm512_add_ps(vsum, _mm512_maskz_mov_ps(m, e));
    }
    return 1.0f / _mm512_reduce_add_ps(vsum);
}

// Decode reads a short context's keys and values from DRAM (the weight stream evicted them); too
// short for the hardware prefetcher, so they are asked for ahead, as the AVX2 kernel does.
constexpr int64_t kPrefetchMaxKeys = 256;
constexpr int64_t kKeysAhead = 32;
constexpr int64_t kUpfrontBytes = 16384;

inline void prefetch(const void* p, int64_t bytes, int hint) {
    for (int64_t o = 0; o < bytes; o += 64) {
        if (hint == 0) _mm_prefetch(static_cast<const char*>(p) + o, _MM_HINT_T0);
        else _mm_prefetch(static_cast<const char*>(p) + o, _MM_HINT_T1);
    }
}

// out_i = sum_j p_i[j] v_j over 16C values from d, for the R rows at once (row i over n + i
// keys); p_i = scores + i * ld, already exponentiated; inv_i = 1 / sum_j p_i[j].
template <int R, int C, class W>
inline void weighted(const float* scores, int64_t ld, const W* values, int64_t n, int64_t hd, int64_t d,
                     const float* inv, float* out, int64_t ldo) {
    __m512 o[R][C];
    for (int i = 0; i < R; ++i)
        for (int c = 0; c < C; ++c) o[i][c] = _mm512_setzero_ps();
    for (int64_t j = 0; j < n; ++j) {
        __m512 w[R];
        for (int i = 0; i < R; ++i) w[i] = _mm512_set1_ps(scores[i * ld + j]);
        for (int c = 0; c < C; ++c) {
            const __m512 x = load16(values + j * hd + d + 16 * c);
            for (int i = 0; i < R; ++i) o[i][c] = _mm512_fmadd_ps(w[i], x, o[i][c]);
        }
    }
    for (int64_t j = n; j < n + R - 1; ++j)  // the later rows' own keys
        for (int i = static_cast<int>(j - n) + 1; i < R; ++i) {
            const __m512 w = _mm512_set1_ps(scores[i * ld + j]);
            for (int c = 0; c < C; ++c) o[i][c] = _mm512_fmadd_ps(w, load16(values + j * hd + d + 16 * c), o[i][c]);
        }
    for (int i = 0; i < R; ++i) {
        const __m512 s = _mm512_set1_ps(inv[i]);
        for (int c = 0; c < C; ++c) _mm512_storeu_ps(out + i * ldo + d + 16 * c, _mm512_mul_ps(o[i][c], s));
    }
}

// R consecutive causal rows (row i: q + i * ldq, n + i keys) in one pass over the keys and
// values; each row gets the bits a pass of that row alone gives. scores: R * (n + R) floats (n
// for one row). hd % 16 == 0.
template <int R, class W>
void attend_block(const float* q, int64_t ldq, const W* keys, const W* values, int64_t n, int64_t hd, float scale,
                  float* scores, float* out, int64_t ldo) {
    const int64_t ld = n + R;
    const __m128 vscale = _mm_set1_ps(scale);
    const int64_t row_bytes = hd * static_cast<int64_t>(sizeof(W));
    const bool fetch = R == 1 && n <= kPrefetchMaxKeys;
    const int64_t upfront = std::min(n * row_bytes, kUpfrontBytes);
    if (fetch) {
        prefetch(keys, upfront, 1);
        prefetch(values, upfront, 1);
    }
    int64_t j = 0;
    for (; j + 4 <= n; j += 4) {
        const int64_t ahead = (j + kKeysAhead) * row_bytes;
        if (fetch && ahead >= upfront && ahead + 4 * row_bytes <= n * row_bytes) {
            prefetch(reinterpret_cast<const char*>(keys) + ahead, 4 * row_bytes, 0);
            prefetch(reinterpret_cast<const char*>(values) + ahead, 4 * row_bytes, 1);
        }
        __m512 acc[R][4];
        for (int i = 0; i < R; ++i)
            for (int u = 0; u < 4; ++u) acc[i][u] = _mm512_setzero_ps();
        for (int64_t d = 0; d < hd; d += 16) {
            __m512 qv[R];
            for (int i = 0; i < R; ++i) qv[i] = _mm512_loadu_ps(q + i * ldq + d);
            for (int u = 0; u < 4; ++u) {
                const __m512 k = load16(keys + (j + u) * hd + d);
                for (int i = 0; i < R; ++i) acc[i][u] = _mm512_fmadd_ps(k, qv[i], acc[i][u]);
            }
        }
        for (int i = 0; i < R; ++i) _mm_storeu_ps(scores + i * ld + j, _mm_mul_ps(hsum4(acc[i]), vscale));
    }
    for (; j < n + R - 1; ++j)
        for (int i = std::max<int>(0, static_cast<int>(j - n) + 1); i < R; ++i)
            scores[i * ld + j] = score_one(q + i * ldq, keys + j * hd, hd, scale);
    float inv[R];
    for (int i = 0; i < R; ++i) inv[i] = exp_in_place(scores + i * ld, n + i);
    int64_t d = 0;
    for (; d + 64 <= hd; d += 64) weighted<R, 4>(scores, ld, values, n, hd, d, inv, out, ldo);
    for (; d < hd; d += 16) weighted<R, 1>(scores, ld, values, n, hd, d, inv, out, ldo);
}

template <class W>
void attend_rows_any(const float* q, int64_t ldq, int64_t rows, const W* keys, const W* values, int64_t n, int64_t hd,
                     float scale, float* scores, float* out, int64_t ldo) {
    int64_t i = 0;
    for (; i + 4 <= rows; i += 4)
        attend_block<4>(q + i * ldq, ldq, keys, values, n + i, hd, scale, scores, out + i * ldo, ldo);
    if (i + 2 <= rows) {
        attend_block<2>(q + i * ldq, ldq, keys, values, n + i, hd, scale, scores, out + i * ldo, ldo);
        i += 2;
    }
    if (i < rows) attend_block<1>(q + i * ldq, ldq, keys, values, n + i, hd, scale, scores, out + i * ldo, ldo);
}

}  // namespace

void attend_f32(const float* q, const float* k, const float* v, int64_t n, int64_t hd, float scale, float* scores,
                float* out) {
    if (hd % 16 != 0) return avx2::attend_f32(q, k, v, n, hd, scale, scores, out);
    attend_block<1>(q, hd, k, v, n, hd, scale, scores, out, hd);
}
void attend_f16(const float* q, const uint16_t* k, const uint16_t* v, int64_t n, int64_t hd, float scale,
                float* scores, float* out) {
    if (hd % 16 != 0) return avx2::attend_f16(q, k, v, n, hd, scale, scores, out);
    attend_block<1>(q, hd, k, v, n, hd, scale, scores, out, hd);
}
void attend_rows_f32(const float* q, int64_t ldq, int64_t rows, const float* k, const float* v, int64_t n, int64_t hd,
                     float scale, float* scores, float* out, int64_t ldo) {
    if (hd % 16 != 0) return avx2::attend_rows_f32(q, ldq, rows, k, v, n, hd, scale, scores, out, ldo);
    attend_rows_any(q, ldq, rows, k, v, n, hd, scale, scores, out, ldo);
}
void attend_rows_f16(const float* q, int64_t ldq, int64_t rows, const uint16_t* k, const uint16_t* v, int64_t n,
                     int64_t hd, float scale, float* scores, float* out, int64_t ldo) {
    if (hd % 16 != 0) return avx2::attend_rows_f16(q, ldq, rows, k, v, n, hd, scale, scores, out, ldo);
    attend_rows_any(q, ldq, rows, k, v, n, hd, scale, scores, out, ldo);
}

}  // namespace tern::avx512
