#pragma once
// Small scalar building blocks shared by every kernel set, so the rounding rules of the
// reference (quantization, RMS scale, FP16 decode) exist in exactly one place.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "engine/base/half_float.h"

// Makes a value opaque to the optimizer so `a*b` followed by `+ c` is never fused into one FMA
// (compilers contract across statements, even intrinsics): the ternary float combine must
// round the product and the sum separately in every kernel set to stay bit-identical.
#if defined(__x86_64__) || defined(__i386__)
#define TERN_NO_CONTRACT(v) __asm__("" : "+x"(v))
#elif defined(__aarch64__)
#define TERN_NO_CONTRACT(v) __asm__("" : "+w"(v))
#else
#define TERN_NO_CONTRACT(v) ((void)0)
#endif

namespace tern::scalar_detail {

// round_half_even(x*s) clamped to int8; std::nearbyint uses the current (default: to nearest,
// ties to even) rounding mode. NaN maps to -128, like the SIMD max(v, -128) order.
inline int8_t quantize_one(float x, float s) {
    float v = std::nearbyint(x * s);
    v = v >= -128.0f ? v : -128.0f;
    v = v <= 127.0f ? v : 127.0f;
    return static_cast<int8_t>(static_cast<int>(v));
}

using tern::f16_to_f32;  // engine/base/half_float.h

// Sum of squares in double (as ggml does), then the float scale 1/sqrt(mean + eps).
inline double sum_squares_f64(const float* x, int64_t n) {
    double s = 0.0;
    for (int64_t i = 0; i < n; ++i) s += static_cast<double>(x[i]) * x[i];
    return s;
}
inline float rms_scale(double sum_sq, int64_t n, float eps) {
    const float mean = static_cast<float>(sum_sq / static_cast<double>(n));
    return 1.0f / std::sqrt(mean + eps);
}

// The reference attention of one query row (KernelSet::attend_*), over a set's own dot and
// axpy: scores, max-subtracted exp, then the normalized weighted sum of the value rows.
template <class W, class Dot, class Axpy>
void attend_rows(const float* q, const W* keys, const W* values, int64_t n, int64_t hd, float scale,
                 float* scores, float* out, Dot dot, Axpy axpy) {
    float mx = -INFINITY;
    for (int64_t j = 0; j < n; ++j) {
        scores[j] = dot(keys + j * hd, q, hd) * scale;
        mx = scores[j] > mx ? scores[j] : mx;
    }
    float sum = 0.0f;
    for (int64_t j = 0; j < n; ++j) {
        scores[j] = std::exp(scores[j] - mx);
        sum += scores[j];
    }
    const float inv = 1.0f / sum;
    for (int64_t i = 0; i < hd; ++i) out[i] = 0.0f;
    for (int64_t j = 0; j < n; ++j) axpy(scores[j] * inv, values + j * hd, out, hd);
}

// ---- the float side of a batched ternary GEMM's register tile (R rows x T tokens) -----------
// Shared by the SIMD sets so the float rule of KernelSet::ternary_gemm is written once.

// Row r of a tile is row n + r * stride of the matrix: stride 1 for a block of consecutive rows,
// more for rows taken from far-apart streams.
// One scale group g: sum[r][j] += float(isum(r, j) - group sum of token t+j) * scale(row r),
// the product rounded before the add.
template <int R, int T, class IntSum>
inline void add_group_parts(IntSum isum, const int32_t* gsum, int64_t ng, int64_t g, int64_t t, const float* scales,
                            int64_t n, float (&sum)[R][T], int64_t stride = 1) {
    for (int r = 0; r < R; ++r)
        for (int j = 0; j < T; ++j) {
            float part = static_cast<float>(isum(r, j) - gsum[(t + j) * ng + g]) * scales[(n + r * stride) * ng + g];
            TERN_NO_CONTRACT(part);
            sum[r][j] += part;
        }
}
template <int R, int T>
inline void store_tile(const float (&sum)[R][T], const float* dequant, int64_t t, int64_t n, float* y, int64_t ldy,
                       int64_t stride = 1) {
    for (int r = 0; r < R; ++r)
        for (int j = 0; j < T; ++j) y[(t + j) * ldy + n + r * stride] = sum[r][j] * dequant[t + j];
}
// A whole R x T tile, group by group: group_isums(g, out) writes the exact int32 products of
// group g (out[r * T + j]); the float rule above is applied to each group, then stored.
template <int R, int T, class GroupIntSums>
inline void tile_over_groups(int64_t ng, const int32_t* gsum, int64_t t, const float* scales, int64_t n,
                             const float* dequant, float* y, int64_t ldy, GroupIntSums group_isums) {
    float sum[R][T] = {};
    for (int64_t g = 0; g < ng; ++g) {
        int32_t isum[R * T];
        group_isums(g, isum);
        add_group_parts<R, T>([&](int r, int j) { return isum[r * T + j]; }, gsum, ng, g, t, scales, n, sum);
    }
    store_tile<R, T>(sum, dequant, t, n, y, ldy);
}
// The same for a tile held lane-wise in one vector, lane i = (row i / T, token i % T): the
// group sums and scales of every lane, and the store of the finished lane sums.
// Each half on its own too: a lane's scale depends only on its row, so a row tile that meets
// many token pairs reads its scales once.
template <int Lanes, int T>
inline void lane_group_sums(const int32_t* gsum, int64_t ng, int64_t g, int64_t t, int32_t* gv) {
    for (int i = 0; i < Lanes; ++i) gv[i] = gsum[(t + i % T) * ng + g];
}
template <int Lanes, int T>
inline void lane_scales(const float* scales, int64_t ng, int64_t g, int64_t n, float* sv, int64_t stride = 1) {
    for (int i = 0; i < Lanes; ++i) sv[i] = scales[(n + (i / T) * stride) * ng + g];
}
template <int Lanes, int T>
inline void tile_lane_terms(const int32_t* gsum, int64_t ng, int64_t g, int64_t t, const float* scales, int64_t n,
                            int32_t* gv, float* sv, int64_t stride = 1) {
    lane_group_sums<Lanes, T>(gsum, ng, g, t, gv);
    lane_scales<Lanes, T>(scales, ng, g, n, sv, stride);
}
template <int Lanes, int T>
inline void store_tile_lanes(const float* lanes, const float* dequant, int64_t t, int64_t n, float* y, int64_t ldy,
                             int64_t stride = 1) {
    for (int i = 0; i < Lanes; ++i) y[(t + i % T) * ldy + n + (i / T) * stride] = lanes[i] * dequant[t + i % T];
}

// attend_rows over a set's own dot/axpy, with the KernelSet::attend_* signature.
template <class W, float (*Dot)(const W*, const float*, int64_t), void (*Axpy)(float, const W*, float*, int64_t)>
void attend_with(const float* q, const W* keys, const W* values, int64_t n, int64_t hd, float scale, float* scores,
                 float* out) {
    attend_rows(q, keys, values, n, hd, scale, scores, out, Dot, Axpy);
}

// KernelSet::attend_rows_* as one attend_* call per row.
template <class W, void (*Attend)(const float*, const W*, const W*, int64_t, int64_t, float, float*, float*)>
void attend_rows_with(const float* q, int64_t ldq, int64_t rows, const W* keys, const W* values, int64_t n,
                      int64_t hd, float scale, float* scores, float* out, int64_t ldo) {
    for (int64_t i = 0; i < rows; ++i) Attend(q + i * ldq, keys, values, n + i, hd, scale, scores, out + i * ldo);
}

}  // namespace tern::scalar_detail
