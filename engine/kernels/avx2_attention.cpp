// AVX2 softmax attention of one query row (KernelSet::attend_*): one fused pass per stage.
#include <algorithm>
#include <cmath>

#include "engine/kernels/avx2_common.h"
#include "engine/kernels/avx2_parts.h"

namespace tern::avx2 {

namespace {

// Eight float vectors -> their eight horizontal sums, in order.
inline __m256 hsum8_f32(const __m256* v) {
    const __m256 u0 = _mm256_hadd_ps(_mm256_hadd_ps(v[0], v[1]), _mm256_hadd_ps(v[2], v[3]));
    const __m256 u1 = _mm256_hadd_ps(_mm256_hadd_ps(v[4], v[5]), _mm256_hadd_ps(v[6], v[7]));
    return _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20), _mm256_permute2f128_ps(u0, u1, 0x31));
}

// e^x for x <= 0 (softmax arguments after the max is subtracted): x = n ln2 + r with
// |r| <= ln2/2, e^r by its degree-7 Taylor polynomial (relative error < 1e-8 before rounding),
// times 2^n built in the exponent field. x below -87.3 (e^x under FLT_MIN) gives ~1e-38
// instead of a denormal or 0: negligible next to the max term, which is 1.
inline __m256 exp_nonpositive(__m256 x) {
    x = _mm256_max_ps(x, _mm256_set1_ps(-87.3f));
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);  // ln2 split in two parts
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.0f / 5040.0f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
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
    const __m256 vscale = _mm256_set1_ps(scale);
    __m256 vmax = _mm256_set1_ps(-INFINITY);
    const int64_t row_bytes = hd * static_cast<int64_t>(sizeof(W)), block_bytes = 8 * row_bytes;
    const bool prefetch = n <= kPrefetchMaxKeys;
    const int64_t upfront = std::min(n * row_bytes, kUpfrontBytes);
    if (prefetch) {
        prefetch_l2(keys, upfront);
        prefetch_l2(values, upfront);
    }
    int64_t j = 0;
    for (; j + 8 <= n; j += 8) {
        const int64_t ahead = (j + 8 * kKeyBlocksAhead) * row_bytes;
        if (prefetch && ahead >= upfront && ahead + block_bytes <= n * row_bytes) {
            prefetch_l1(reinterpret_cast<const char*>(keys) + ahead, block_bytes);
            prefetch_l2(reinterpret_cast<const char*>(values) + ahead, block_bytes);
        }
        __m256 acc[8];
        for (int u = 0; u < 8; ++u) acc[u] = _mm256_setzero_ps();
        for (int64_t d = 0; d < hd; d += 8) {
            const __m256 qv = _mm256_loadu_ps(q + d);
            for (int u = 0; u < 8; ++u) acc[u] = _mm256_fmadd_ps(load8(keys + (j + u) * hd + d), qv, acc[u]);
        }
        const __m256 s = _mm256_mul_ps(hsum8_f32(acc), vscale);
        _mm256_storeu_ps(scores + j, s);
        vmax = _mm256_max_ps(vmax, s);
    }
    float mx = hmax_f32(vmax);
    for (; j < n; ++j) {
        scores[j] = dot_any(keys + j * hd, q, hd) * scale;
        mx = std::max(mx, scores[j]);
    }
    const __m256 vm = _mm256_set1_ps(mx);
    __m256 vsum = _mm256_setzero_ps();
    for (j = 0; j + 8 <= n; j += 8) {
        const __m256 e = exp_nonpositive(_mm256_sub_ps(_mm256_loadu_ps(scores + j), vm));
        _mm256_storeu_ps(scores + j, e);
        vsum = _mm256_add_ps(vsum, e);
    }
    float sum = hsum_f32(vsum);
    for (; j < n; ++j) {
        scores[j] = std::exp(scores[j] - mx);
        sum += scores[j];
    }
    const float inv = 1.0f / sum;
    int64_t d = 0;
    for (; d + 64 <= hd; d += 64) weighted_sum<8>(scores, values + d, n, hd, inv, out + d);
    for (; d < hd; d += 8) weighted_sum<1>(scores, values + d, n, hd, inv, out + d);
}

}  // namespace

void attend_f32(const float* q, const float* k, const float* v, int64_t n, int64_t hd, float scale,
                float* scores, float* out) {
    attend_any(q, k, v, n, hd, scale, scores, out);
}
void attend_f16(const float* q, const uint16_t* k, const uint16_t* v, int64_t n, int64_t hd, float scale,
                float* scores, float* out) {
    attend_any(q, k, v, n, hd, scale, scores, out);
}

}  // namespace tern::avx2
