// AVX2 softmax attention of one query row (KernelSet::attend_*): one fused pass per stage.
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

// out[0, 8V) = sum_j p_j v_j[0, 8V) with V vectors kept in registers across all keys.
template <int V, class W>
inline void weighted_sum(const float* p, const W* values, int64_t n, int64_t hd, float inv, float* out) {
    __m256 o[V];
    for (int u = 0; u < V; ++u) o[u] = _mm256_setzero_ps();
    for (int64_t j = 0; j < n; ++j) {
        const __m256 pj = _mm256_broadcast_ss(p + j);
        const W* v = values + j * hd;
        for (int u = 0; u < V; ++u) o[u] = _mm256_fmadd_ps(pj, load8(v + 8 * u), o[u]);
    }
    const __m256 vi = _mm256_set1_ps(inv);
    for (int u = 0; u < V; ++u) _mm256_storeu_ps(out + 8 * u, _mm256_mul_ps(o[u], vi));
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

// One fused pass per stage instead of two calls per key: scores eight keys at a time (one
// accumulator per key, reduced together), a vector exp, and the value sum held in registers.
template <class W>
void attend_any(const float* q, const W* keys, const W* values, int64_t n, int64_t hd, float scale, float* scores,
                float* out) {
    if (hd % 8 != 0) {
        scalar_detail::attend_rows(q, keys, values, n, hd, scale, scores, out, dot_any<W>, axpy_any<W>);
        return;
    }
    __m128 vmax = _mm_set1_ps(-INFINITY);
    const int64_t row_bytes = hd * static_cast<int64_t>(sizeof(W)), block_bytes = 8 * row_bytes;
    const bool prefetch = n <= kPrefetchMaxKeys;
    const int64_t upfront = std::min(n * row_bytes, kUpfrontBytes);
    if (prefetch) {
        prefetch_l2(keys, upfront);
        prefetch_l2(values, upfront);
    }
    int64_t j = 0;
    for (; j + 4 <= n; j += 4) {
        const int64_t ahead = (j + 8 * kKeyBlocksAhead) * row_bytes;
        if (prefetch && j % 8 == 0 && ahead >= upfront && ahead + block_bytes <= n * row_bytes) {
            prefetch_l1(reinterpret_cast<const char*>(keys) + ahead, block_bytes);
            prefetch_l2(reinterpret_cast<const char*>(values) + ahead, block_bytes);
        }
        score_block<1>(q, 0, keys, j, hd, scale, scores, 0, &vmax);
    }
    float mx = max4(vmax);
    for (; j < n; ++j) {
        scores[j] = score_one(q, keys + j * hd, hd, scale);
        mx = std::max(mx, scores[j]);
    }
    const float inv = exp_in_place(scores, n, mx);
    int64_t d = 0;
    for (; d + 64 <= hd; d += 64) weighted_sum<8>(scores, values + d, n, hd, inv, out + d);
    for (; d < hd; d += 8) weighted_sum<1>(scores, values + d, n, hd, inv, out + d);
}

// Rows a and b = a + 1 of prefill: b sees the n keys of a and one more. Each key and value row
// is loaded (and widened from F16) once for both rows, and each row gets the bits attend_any
// gives it. Needs hd % 8 == 0.
template <int V, class W>
inline void weighted_pair(const float* pa, const float* pb, const W* values, int64_t n, int64_t hd, float inv_a,
                          float inv_b, float* oa, float* ob) {
    __m256 a[V], b[V];
    for (int u = 0; u < V; ++u) a[u] = _mm256_setzero_ps(), b[u] = _mm256_setzero_ps();
    for (int64_t j = 0; j < n; ++j) {
        const __m256 wa = _mm256_broadcast_ss(pa + j), wb = _mm256_broadcast_ss(pb + j);
        const W* v = values + j * hd;
        for (int u = 0; u < V; ++u) {
            const __m256 x = load8(v + 8 * u);
            a[u] = _mm256_fmadd_ps(wa, x, a[u]);
            b[u] = _mm256_fmadd_ps(wb, x, b[u]);
        }
    }
    const __m256 wb = _mm256_broadcast_ss(pb + n);
    for (int u = 0; u < V; ++u) b[u] = _mm256_fmadd_ps(wb, load8(values + n * hd + 8 * u), b[u]);
    const __m256 ia = _mm256_set1_ps(inv_a), ib = _mm256_set1_ps(inv_b);
    for (int u = 0; u < V; ++u) {
        _mm256_storeu_ps(oa + 8 * u, _mm256_mul_ps(a[u], ia));
        _mm256_storeu_ps(ob + 8 * u, _mm256_mul_ps(b[u], ib));
    }
}

template <class W>
void attend_pair(const float* qa, const float* qb, const W* keys, const W* values, int64_t n, int64_t hd, float scale,
                 float* sa, float* sb, float* oa, float* ob) {
    // sb = sa + ld, as score_block writes its rows.
    const int64_t ld = sb - sa;
    __m128 vmax[2] = {_mm_set1_ps(-INFINITY), _mm_set1_ps(-INFINITY)};
    int64_t j = 0;
    for (; j + 4 <= n; j += 4) score_block<2>(qa, qb - qa, keys, j, hd, scale, sa, ld, vmax);
    float mx_a = max4(vmax[0]), mx_b = max4(vmax[1]);
    for (; j < n; ++j) {
        sa[j] = score_one(qa, keys + j * hd, hd, scale);
        sb[j] = score_one(qb, keys + j * hd, hd, scale);
        mx_a = std::max(mx_a, sa[j]);
        mx_b = std::max(mx_b, sb[j]);
    }
    sb[n] = score_one(qb, keys + n * hd, hd, scale);
    mx_b = std::max(mx_b, sb[n]);
    const float inv_a = exp_in_place(sa, n, mx_a), inv_b = exp_in_place(sb, n + 1, mx_b);
    int64_t d = 0;
    for (; d + 32 <= hd; d += 32) weighted_pair<4>(sa, sb, values + d, n, hd, inv_a, inv_b, oa + d, ob + d);
    for (; d < hd; d += 8) weighted_pair<1>(sa, sb, values + d, n, hd, inv_a, inv_b, oa + d, ob + d);
}

template <class W>
void attend_rows_any(const float* q, int64_t ldq, int64_t rows, const W* keys, const W* values, int64_t n, int64_t hd,
                     float scale, float* scores, float* out, int64_t ldo) {
    int64_t i = 0;
    if (hd % 8 == 0)
        for (; i + 2 <= rows; i += 2)
            attend_pair(q + i * ldq, q + (i + 1) * ldq, keys, values, n + i, hd, scale, scores, scores + n + rows,
                        out + i * ldo, out + (i + 1) * ldo);
    for (; i < rows; ++i) attend_any(q + i * ldq, keys, values, n + i, hd, scale, scores, out + i * ldo);
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
    attend_any(q, k, v, n, hd, scale, scores, out);
}
void attend_f16(const float* q, const uint16_t* k, const uint16_t* v, int64_t n, int64_t hd, float scale,
                float* scores, float* out) {
    attend_any(q, k, v, n, hd, scale, scores, out);
}

}  // namespace tern::avx2
