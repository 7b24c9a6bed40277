// AVX2 softmax attention (KernelSet::attend_*, attend_rows_*): one fused pass per stage, one
// query row in decode and two per pass in prefill.
#include <algorithm>
#include <cmath>

#include "engine/kernels/avx2_common.h"
#include "engine/kernels/avx2_parts.h"
#include "engine/kernels/exp_poly.h"

namespace tern::avx2 {

namespace {

// Four float vectors -> their four horizontal sums, in order.
inline __m128 hsum4_f32(const __m256* v) {
    const __m256 t = _mm256_hadd_ps(_mm256_hadd_ps(v[0], v[1]), _mm256_hadd_ps(v[2], v[3]));
    return _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
}

// Scores of keys [j, j + 4) for the rows' queries (R of them, q + i * ldq), into scores + i * ld
// + j: one multiply-add chain per key and row, then one sum tree per key.
template <int R, class W>
inline void score_block(const float* q, int64_t ldq, const W* keys, int64_t j, int64_t hd, float scale, float* scores,
                        int64_t ld, __m128* vmax) {
    __m256 acc[R][4];
    for (int i = 0; i < R; ++i)
        for (int u = 0; u < 4; ++u) acc[i][u] = _mm256_setzero_ps();
    for (int64_t d = 0; d < hd; d += 8) {
        __m256 qv[R];
        for (int i = 0; i < R; ++i) qv[i] = _mm256_loadu_ps(q + i * ldq + d);
        for (int u = 0; u < 4; ++u) {
            const __m256 k = load8(keys + (j + u) * hd + d);
            for (int i = 0; i < R; ++i) acc[i][u] = _mm256_fmadd_ps(k, qv[i], acc[i][u]);
        }
    }
    for (int i = 0; i < R; ++i) {
        const __m128 s = _mm_mul_ps(hsum4_f32(acc[i]), _mm_set1_ps(scale));
        _mm_storeu_ps(scores + i * ld + j, s);
        vmax[i] = _mm_max_ps(vmax[i], s);
    }
}

// One key's score with a block's arithmetic (the same chain and sum tree), so a key gives the
// same bits wherever it falls: a prefill row computes what decode computes for its position.
template <class W>
inline float score_one(const float* q, const W* key, int64_t hd, float scale) {
    __m256 acc[4] = {_mm256_setzero_ps()};
    for (int64_t d = 0; d < hd; d += 8) acc[0] = _mm256_fmadd_ps(load8(key + d), _mm256_loadu_ps(q + d), acc[0]);
    acc[1] = acc[2] = acc[3] = acc[0];
    return _mm_cvtss_f32(hsum4_f32(acc)) * scale;
}

inline float max4(__m128 v) {
    v = _mm_max_ps(v, _mm_movehl_ps(v, v));
    return _mm_cvtss_f32(_mm_max_ss(v, _mm_movehdup_ps(v)));
}

// e^x for x <= 0 (softmax arguments after the max is subtracted): exp_poly.h.
inline __m256 exp_nonpositive(__m256 x) {
    using namespace exp_poly;
    x = _mm256_max_ps(x, _mm256_set1_ps(kLowest));
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(kLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Hi), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Lo), r);
    __m256 p = _mm256_set1_ps(kTaylor[0]);
    for (int i = 1; i < 8; ++i) p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kTaylor[i]));
    const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

// scores[j] = e^(scores[j] - mx) for j < n; returns 1 / their sum.
inline float exp_in_place(float* scores, int64_t n, float mx) {
    const __m256 vm = _mm256_set1_ps(mx);
    __m256 vsum = _mm256_setzero_ps();
    int64_t j = 0;
    for (; j + 8 <= n; j += 8) {
        const __m256 e = exp_nonpositive(_mm256_sub_ps(_mm256_loadu_ps(scores + j), vm));
        _mm256_storeu_ps(scores + j, e);
        vsum = _mm256_add_ps(vsum, e);
    }
    float sum = hsum_f32(vsum);
    for (; j < n; ++j) {
        scores[j] = std::exp(scores[j] - mx);
        sum += scores[j];
    }
    return 1.0f / sum;
}

// out_i = sum_j p_i[j] v_j over 8C values from d, for R rows at once (row i over n + i keys),
// the sums held in registers across all keys; p_i = scores + i * ld, already exponentiated;
// inv_i = 1 / sum_j p_i[j]. Each output sums its keys in order, whatever R and C.
template <int R, int C, class W>
inline void weighted(const float* scores, int64_t ld, const W* values, int64_t n, int64_t hd, int64_t d,
                     const float* inv, float* out, int64_t ldo) {
    __m256 o[R][C];
    for (int i = 0; i < R; ++i)
        for (int c = 0; c < C; ++c) o[i][c] = _mm256_setzero_ps();
    for (int64_t j = 0; j < n; ++j) {
        __m256 w[R];
        for (int i = 0; i < R; ++i) w[i] = _mm256_broadcast_ss(scores + i * ld + j);
        for (int c = 0; c < C; ++c) {
            const __m256 x = load8(values + j * hd + d + 8 * c);
            for (int i = 0; i < R; ++i) o[i][c] = _mm256_fmadd_ps(w[i], x, o[i][c]);
        }
    }
    for (int64_t j = n; j < n + R - 1; ++j)  // the later rows' own keys
        for (int i = static_cast<int>(j - n) + 1; i < R; ++i) {
            const __m256 w = _mm256_broadcast_ss(scores + i * ld + j);
            for (int c = 0; c < C; ++c) o[i][c] = _mm256_fmadd_ps(w, load8(values + j * hd + d + 8 * c), o[i][c]);
        }
    for (int i = 0; i < R; ++i) {
        const __m256 s = _mm256_set1_ps(inv[i]);
        for (int c = 0; c < C; ++c) _mm256_storeu_ps(out + i * ldo + d + 8 * c, _mm256_mul_ps(o[i][c], s));
    }
}

// In decode the keys and values of a head come from DRAM (the step's weight stream evicted
// them). A short context is a few KiB per head, too short for the hardware prefetcher to ramp
// up, so those are asked for ahead: the first 16 KiB of each into L2 at once, then keys and
// values four blocks of eight keys ahead. Long contexts stream well without it and the extra
// instructions cost (attention harness, cold KV, 32 heads of 64 dims: -30 % time at 64 and
// 128 keys, +10-20 % at 512).
constexpr int64_t kPrefetchMaxKeys = 256;
constexpr int64_t kKeyBlocksAhead = 4;
constexpr int64_t kUpfrontBytes = 16384;

inline void prefetch_l1(const void* p, int64_t bytes) {
    for (int64_t o = 0; o < bytes; o += 64) _mm_prefetch(static_cast<const char*>(p) + o, _MM_HINT_T0);
}
inline void prefetch_l2(const void* p, int64_t bytes) {
    for (int64_t o = 0; o < bytes; o += 64) _mm_prefetch(static_cast<const char*>(p) + o, _MM_HINT_T1);
}

// R consecutive causal rows (row i: q + i * ldq, n + i keys) in one fused pass per stage: scores
// four keys at a time, a vector exp, and the value sums held in registers. With R = 2 (prefill)
// each key and value row is loaded, and widened from F16, once for both rows; every row gets the
// bits it gets alone (R = 1, decode). scores: R * (n + R) floats (n for one row). hd % 8 == 0.
template <int R, class W>
void attend_block(const float* q, int64_t ldq, const W* keys, const W* values, int64_t n, int64_t hd, float scale,
                  float* scores, float* out, int64_t ldo) {
    const int64_t ld = n + R;
    const int64_t row_bytes = hd * static_cast<int64_t>(sizeof(W)), block_bytes = 8 * row_bytes;
    const bool prefetch = R == 1 && n <= kPrefetchMaxKeys;
    const int64_t upfront = std::min(n * row_bytes, kUpfrontBytes);
    if (prefetch) {
        prefetch_l2(keys, upfront);
        prefetch_l2(values, upfront);
    }
    __m128 vmax[R];
    for (int i = 0; i < R; ++i) vmax[i] = _mm_set1_ps(-INFINITY);
    int64_t j = 0;
    for (; j + 4 <= n; j += 4) {
        const int64_t ahead = (j + 8 * kKeyBlocksAhead) * row_bytes;
        if (prefetch && j % 8 == 0 && ahead >= upfront && ahead + block_bytes <= n * row_bytes) {
            prefetch_l1(reinterpret_cast<const char*>(keys) + ahead, block_bytes);
            prefetch_l2(reinterpret_cast<const char*>(values) + ahead, block_bytes);
        }
        score_block<R>(q, ldq, keys, j, hd, scale, scores, ld, vmax);
    }
    float mx[R], inv[R];
    for (int i = 0; i < R; ++i) mx[i] = max4(vmax[i]);
    for (; j < n + R - 1; ++j)
        for (int i = std::max<int>(0, static_cast<int>(j - n) + 1); i < R; ++i) {
            scores[i * ld + j] = score_one(q + i * ldq, keys + j * hd, hd, scale);
            mx[i] = std::max(mx[i], scores[i * ld + j]);
        }
    for (int i = 0; i < R; ++i) inv[i] = exp_in_place(scores + i * ld, n + i, mx[i]);
    constexpr int kChunks = 8 / R;  // 8 value vectors in registers
    int64_t d = 0;
    for (; d + 8 * kChunks <= hd; d += 8 * kChunks) weighted<R, kChunks>(scores, ld, values, n, hd, d, inv, out, ldo);
    for (; d < hd; d += 8) weighted<R, 1>(scores, ld, values, n, hd, d, inv, out, ldo);
}

template <class W>
void attend_one(const float* q, const W* keys, const W* values, int64_t n, int64_t hd, float scale, float* scores,
                float* out) {
    if (hd % 8 != 0) return scalar_detail::attend_rows(q, keys, values, n, hd, scale, scores, out, dot_any<W>, axpy_any<W>);
    attend_block<1>(q, hd, keys, values, n, hd, scale, scores, out, hd);
}

template <class W>
void attend_rows_any(const float* q, int64_t ldq, int64_t rows, const W* keys, const W* values, int64_t n, int64_t hd,
                     float scale, float* scores, float* out, int64_t ldo) {
    int64_t i = 0;
    if (hd % 8 == 0)
        for (; i + 2 <= rows; i += 2)
            attend_block<2>(q + i * ldq, ldq, keys, values, n + i, hd, scale, scores, out + i * ldo, ldo);
    for (; i < rows; ++i) attend_one(q + i * ldq, keys, values, n + i, hd, scale, scores, out + i * ldo);
}

}  // namespace

void attend_rows_f32(const float* q, int64_t ldq, int64_t rows, const float* k, const float* v, int64_t n, int64_t hd,
                     float scale, float* scores, float* out, int64_t ldo) {
    attend_rows_any(q, ldq, rows, k, v, n, hd, scale, scores, out, ldo);
}
void attend_rows_f16(const float* q, int64_t ldq, int64_t rows, const uint16_t* k, const uint16_t* v, int64_t n,
                     int64_t hd, float scale, float* scores, float* out, int64_t ldo) {
    attend_rows_any(q, ldq, rows, k, v, n, hd, scale, scores, out, ldo);
}

void attend_f32(const float* q, const float* k, const float* v, int64_t n, int64_t hd, float scale,
                float* scores, float* out) {
    attend_one(q, k, v, n, hd, scale, scores, out);
}
void attend_f16(const float* q, const uint16_t* k, const uint16_t* v, int64_t n, int64_t hd, float scale,
                float* scores, float* out) {
    attend_one(q, k, v, n, hd, scale, scores, out);
}

}  // namespace tern::avx2
