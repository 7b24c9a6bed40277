// The AVX2 set's batched ternary GEMM (M > 1 tokens: prefill, batched decode), compiled with
// the AVX2 flags; avx2.cpp calls it from its KernelSet::ternary_gemm.
//
// Codes of a tile of rows are unpacked once into one byte per weight (0, 1, 2) and reused for
// every token of a token block; sum (c-1)*q = sum c*q - group sum of q, as in avx2.cpp.
// vpmaddubsw takes 32 products per instruction into int16 pairs, vpaddw accumulates; the int16
// sums are widened every kFlushBlocks blocks (<= 32 maddubs per lane, see avx2.cpp). Float
// outputs are bit-identical to scalar.cpp.
#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "engine/base/aligned_memory.h"
#include "engine/kernels/avx2_common.h"
#include "engine/kernels/avx2_parts.h"
#include "engine/kernels/scalar_common.h"
#include "engine/kernels/ternary_matrix.h"
#include "engine/kernels/unpack_rows.h"

namespace tern::avx2 {

namespace {

// The 4 rows x 2 tokens inner loop over [k0, k1) with named int16 accumulators: a separate,
// non-inlined function so GCC keeps all eight in registers (in the templated loop it shuffles
// array elements through extra moves and spills).
// It covers columns [k0, k1) of one scale group, widening the int16 sums and adding them to the
// int32 `out` every kFlushBlocks blocks itself: one call per chunk instead of one per flush keeps
// the call overhead small next to the multiply-adds.
__attribute__((noinline)) void tile4x2_i32(const uint8_t* u0, int64_t k, const int8_t* qa, const int8_t* qb,
                                           int64_t k0, int64_t k1, __m256i* out) {
    const uint8_t *u1 = u0 + k, *u2 = u1 + k, *u3 = u2 + k;
    const __m256i ones16 = _mm256_set1_epi16(1);
    for (int64_t f0 = k0; f0 < k1; f0 += kFlushBlocks * 128) {
        const int64_t f1 = std::min(k1, f0 + kFlushBlocks * 128);
        __m256i s00 = _mm256_setzero_si256(), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00,
                s30 = s00, s31 = s00;
        for (int64_t kk = f0; kk < f1; kk += 32) {
            const __m256i x0 = load256(qa + kk), x1 = load256(qb + kk);
            __m256i c0 = load256(u0 + kk), c1 = load256(u1 + kk);
            __m256i c2 = load256(u2 + kk), c3 = load256(u3 + kk);
            // Pin the codes in registers: otherwise GCC reloads each one for its second use.
            __asm__("" : "+x"(c0), "+x"(c1), "+x"(c2), "+x"(c3));
            s00 = _mm256_add_epi16(s00, _mm256_maddubs_epi16(c0, x0));
            s01 = _mm256_add_epi16(s01, _mm256_maddubs_epi16(c0, x1));
            s10 = _mm256_add_epi16(s10, _mm256_maddubs_epi16(c1, x0));
            s11 = _mm256_add_epi16(s11, _mm256_maddubs_epi16(c1, x1));
            s20 = _mm256_add_epi16(s20, _mm256_maddubs_epi16(c2, x0));
            s21 = _mm256_add_epi16(s21, _mm256_maddubs_epi16(c2, x1));
            s30 = _mm256_add_epi16(s30, _mm256_maddubs_epi16(c3, x0));
            s31 = _mm256_add_epi16(s31, _mm256_maddubs_epi16(c3, x1));
        }
        const __m256i s[8] = {s00, s01, s10, s11, s20, s21, s30, s31};
        for (int i = 0; i < 8; ++i) out[i] = _mm256_add_epi32(out[i], _mm256_madd_epi16(s[i], ones16));
    }
}

// The 6 rows x 2 tokens inner loop over [k0, k1), written in assembly: twelve int16
// accumulators, the two activation vectors and one code vector take all sixteen ymm registers,
// and GCC, given the same loop in intrinsics, re-loads activations from memory for each use.
// Per 32 columns: 8 loads for 12 maddubs (the 4 x 2 tile: 6 for 8), so the activation rows
// streaming in from L2 are read once per six rows instead of once per four. Rows are u0 + r*k,
// the second token's activations are qa + k (QuantizedActs rows are consecutive).
// Widens into `out` (12 int32 vectors, lane order row-major: [r*2 + token]) every
// kFlushBlocks blocks, like tile4x2_i32.
__attribute__((noinline)) void tile6x2_i32(const uint8_t* u0, int64_t k, const int8_t* qa, int64_t k0, int64_t k1,
                                           __m256i* out) {
    const int64_t k3 = 3 * k, k5 = 5 * k;
    for (int64_t f0 = k0; f0 < k1; f0 += kFlushBlocks * 128) {
        const int64_t f1 = std::min(k1, f0 + kFlushBlocks * 128);
        const uint8_t* pu = u0 + f0;
        const int8_t* pa = qa + f0;
        int64_t steps = (f1 - f0) / 32;
        __asm__ volatile(
            "vpxor %%xmm0, %%xmm0, %%xmm0\n vpxor %%xmm1, %%xmm1, %%xmm1\n vpxor %%xmm2, %%xmm2, %%xmm2\n"
            "vpxor %%xmm3, %%xmm3, %%xmm3\n vpxor %%xmm4, %%xmm4, %%xmm4\n vpxor %%xmm5, %%xmm5, %%xmm5\n"
            "vpxor %%xmm6, %%xmm6, %%xmm6\n vpxor %%xmm7, %%xmm7, %%xmm7\n vpxor %%xmm8, %%xmm8, %%xmm8\n"
            "vpxor %%xmm9, %%xmm9, %%xmm9\n vpxor %%xmm10, %%xmm10, %%xmm10\n vpxor %%xmm11, %%xmm11, %%xmm11\n"
            "1:\n"
            "vmovdqu (%[pa]), %%ymm14\n"
            "vmovdqu (%[pa],%[k],1), %%ymm15\n"
            "vmovdqu (%[pu]), %%ymm12\n"
            "vpmaddubsw %%ymm14, %%ymm12, %%ymm13\n vpaddw %%ymm13, %%ymm0, %%ymm0\n"
            "vpmaddubsw %%ymm15, %%ymm12, %%ymm12\n vpaddw %%ymm12, %%ymm1, %%ymm1\n"
            "vmovdqu (%[pu],%[k],1), %%ymm12\n"
            "vpmaddubsw %%ymm14, %%ymm12, %%ymm13\n vpaddw %%ymm13, %%ymm2, %%ymm2\n"
            "vpmaddubsw %%ymm15, %%ymm12, %%ymm12\n vpaddw %%ymm12, %%ymm3, %%ymm3\n"
            "vmovdqu (%[pu],%[k],2), %%ymm12\n"
            "vpmaddubsw %%ymm14, %%ymm12, %%ymm13\n vpaddw %%ymm13, %%ymm4, %%ymm4\n"
            "vpmaddubsw %%ymm15, %%ymm12, %%ymm12\n vpaddw %%ymm12, %%ymm5, %%ymm5\n"
            "vmovdqu (%[pu],%[k3],1), %%ymm12\n"
            "vpmaddubsw %%ymm14, %%ymm12, %%ymm13\n vpaddw %%ymm13, %%ymm6, %%ymm6\n"
            "vpmaddubsw %%ymm15, %%ymm12, %%ymm12\n vpaddw %%ymm12, %%ymm7, %%ymm7\n"
            "vmovdqu (%[pu],%[k],4), %%ymm12\n"
            "vpmaddubsw %%ymm14, %%ymm12, %%ymm13\n vpaddw %%ymm13, %%ymm8, %%ymm8\n"
            "vpmaddubsw %%ymm15, %%ymm12, %%ymm12\n vpaddw %%ymm12, %%ymm9, %%ymm9\n"
            "vmovdqu (%[pu],%[k5],1), %%ymm12\n"
            "vpmaddubsw %%ymm14, %%ymm12, %%ymm13\n vpaddw %%ymm13, %%ymm10, %%ymm10\n"
            "vpmaddubsw %%ymm15, %%ymm12, %%ymm12\n vpaddw %%ymm12, %%ymm11, %%ymm11\n"
            "add $32, %[pa]\n add $32, %[pu]\n"
            "dec %[steps]\n jnz 1b\n"
            // Widen: out[i] += madd(acc_i, 1) (int16 pairs to int32).
            "vpcmpeqw %%ymm15, %%ymm15, %%ymm15\n vpsrlw $15, %%ymm15, %%ymm15\n"
            "vpmaddwd %%ymm15, %%ymm0, %%ymm0\n vpaddd 0(%[out]), %%ymm0, %%ymm0\n vmovdqu %%ymm0, 0(%[out])\n"
            "vpmaddwd %%ymm15, %%ymm1, %%ymm1\n vpaddd 32(%[out]), %%ymm1, %%ymm1\n vmovdqu %%ymm1, 32(%[out])\n"
            "vpmaddwd %%ymm15, %%ymm2, %%ymm2\n vpaddd 64(%[out]), %%ymm2, %%ymm2\n vmovdqu %%ymm2, 64(%[out])\n"
            "vpmaddwd %%ymm15, %%ymm3, %%ymm3\n vpaddd 96(%[out]), %%ymm3, %%ymm3\n vmovdqu %%ymm3, 96(%[out])\n"
            "vpmaddwd %%ymm15, %%ymm4, %%ymm4\n vpaddd 128(%[out]), %%ymm4, %%ymm4\n vmovdqu %%ymm4, 128(%[out])\n"
            "vpmaddwd %%ymm15, %%ymm5, %%ymm5\n vpaddd 160(%[out]), %%ymm5, %%ymm5\n vmovdqu %%ymm5, 160(%[out])\n"
            "vpmaddwd %%ymm15, %%ymm6, %%ymm6\n vpaddd 192(%[out]), %%ymm6, %%ymm6\n vmovdqu %%ymm6, 192(%[out])\n"
            "vpmaddwd %%ymm15, %%ymm7, %%ymm7\n vpaddd 224(%[out]), %%ymm7, %%ymm7\n vmovdqu %%ymm7, 224(%[out])\n"
            "vpmaddwd %%ymm15, %%ymm8, %%ymm8\n vpaddd 256(%[out]), %%ymm8, %%ymm8\n vmovdqu %%ymm8, 256(%[out])\n"
            "vpmaddwd %%ymm15, %%ymm9, %%ymm9\n vpaddd 288(%[out]), %%ymm9, %%ymm9\n vmovdqu %%ymm9, 288(%[out])\n"
            "vpmaddwd %%ymm15, %%ymm10, %%ymm10\n vpaddd 320(%[out]), %%ymm10, %%ymm10\n vmovdqu %%ymm10, 320(%[out])\n"
            "vpmaddwd %%ymm15, %%ymm11, %%ymm11\n vpaddd 352(%[out]), %%ymm11, %%ymm11\n vmovdqu %%ymm11, 352(%[out])\n"
            : [pa] "+r"(pa), [pu] "+r"(pu), [steps] "+r"(steps)
            : [k] "r"(k), [k3] "r"(k3), [k5] "r"(k5), [out] "r"(out)
            : "cc", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
              "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
    }
}

// The leftovers of the pair tiles (fewer than 4 rows at the end of a range, the last token of
// an odd block): an R x T register tile in intrinsics, straight into y.
template <int R, int T>
void gemm_micro(const uint8_t* unpacked, int64_t k, const TernaryMatrix& w, int64_t n, const QuantizedActs& x,
                int64_t t, const int32_t* gsum, float* y, int64_t ldy) {
    const __m256i ones16 = _mm256_set1_epi16(1);
    const int64_t gs = w.group_size;
    const int8_t* qrow[T];
    for (int j = 0; j < T; ++j) qrow[j] = x.row(t + j);
    auto group_isums = [&](int64_t g, int32_t* isum) {
        __m256i acc32[R * T];
        for (int i = 0; i < R * T; ++i) acc32[i] = _mm256_setzero_si256();
        for (int64_t k0 = g * gs; k0 < (g + 1) * gs; k0 += kFlushBlocks * 128) {
            const int64_t k1 = std::min((g + 1) * gs, k0 + kFlushBlocks * 128);
            __m256i acc16[R * T];
            for (int i = 0; i < R * T; ++i) acc16[i] = _mm256_setzero_si256();
            for (int64_t kk = k0; kk < k1; kk += 32) {
                __m256i c[R];
#pragma GCC unroll 4
                for (int r = 0; r < R; ++r) c[r] = load256(unpacked + r * k + kk);
#pragma GCC unroll 2
                for (int j = 0; j < T; ++j) {
                    const __m256i qv = load256(qrow[j] + kk);
#pragma GCC unroll 4
                    for (int r = 0; r < R; ++r)
                        acc16[r * T + j] = _mm256_add_epi16(acc16[r * T + j], _mm256_maddubs_epi16(c[r], qv));
                }
            }
            for (int i = 0; i < R * T; ++i) acc32[i] = _mm256_add_epi32(acc32[i], _mm256_madd_epi16(acc16[i], ones16));
        }
        for (int i = 0; i < R * T; ++i) isum[i] = hsum_i32(acc32[i]);
    };
    scalar_detail::tile_over_groups<R, T>(w.groups_per_row(), gsum, t, w.scales.data(), n, x.dequant.data(), y, ldy,
                                          group_isums);
}

// Columns per chunk of a pair tile: the chunk of the unpacked rows (12 KiB for six) stays in L1
// while every token pair passes over it. Whole rows did not fit for ffn_down (4 x 5632 B of
// codes + 2 x 5632 B of activations per pass > 32 KiB L1): in one `kernel` run that shape gave
// 251 GOPS against 391 for K = 2048.
constexpr int64_t kChunkCols = 2048;

// The R rows x 2 tokens tile over [k0, k1): 6 in assembly, 4 in intrinsics (the remainder).
template <int R>
inline void tile_pair_i32(const uint8_t* u0, int64_t k, const int8_t* qa, int64_t k0, int64_t k1, __m256i* out) {
    if constexpr (R == 6) tile6x2_i32(u0, k, qa, k0, k1, out);
    else tile4x2_i32(u0, k, qa, qa + k, k0, k1, out);
}

// The 2R int32 tile sums of one group (lane i = row i / 2, token i % 2) combined into float
// lane sums like scalar.cpp: (sum - group_sum) * scale, product rounded, then added. Lanes are
// padded to 16 (two vectors); sv holds the lanes' scales of this group, the same for every pair.
template <int R>
inline void add_pair_group(const __m256i* acc, const int32_t* gsum, int64_t ng, int64_t g, int64_t t,
                           const float* sv, __m256* lanes) {
    static_assert(R == 4 || R == 6);
    alignas(32) int32_t gv[16] = {};
    scalar_detail::lane_group_sums<2 * R, 2>(gsum, ng, g, t, gv);
    __m256i hs[2] = {hsum8_i32(acc), _mm256_setzero_si256()};
    if constexpr (R == 6) {
        const __m256i rest[8] = {acc[8], acc[9], acc[10], acc[11], hs[1], hs[1], hs[1], hs[1]};
        hs[1] = hsum8_i32(rest);
    }
    for (int h = 0; h < (R == 6 ? 2 : 1); ++h) {
        const __m256i a = _mm256_sub_epi32(hs[h], _mm256_load_si256(reinterpret_cast<const __m256i*>(gv + 8 * h)));
        __m256 part = _mm256_mul_ps(_mm256_cvtepi32_ps(a), _mm256_load_ps(sv + 8 * h));
        TERN_NO_CONTRACT(part);
        lanes[h] = _mm256_add_ps(lanes[h], part);
    }
}

// Rows [n, n+R) x the token pairs from t0: per scale group, chunk by chunk, every pair; the
// int32 sums are exact, so the order of chunks and pairs does not change any result. Results
// go to `out` (row t - t0 of the panel buffer, column n - panel_n, stride ldo).
template <int R>
void gemm_rows_pairs(const uint8_t* unpacked, const TernaryMatrix& w, int64_t n, const QuantizedActs& x, int64_t t0,
                     int64_t pairs, const int32_t* gsum, float* out, int64_t ldo) {
    const int64_t k = w.cols, ng = w.groups_per_row(), gs = w.group_size;
    struct PairSums {
        __m256i acc[2 * R];  // rows x tokens, one group
        __m256 lanes[2];     // the float sums over groups
    };
    thread_local std::vector<PairSums> sums;
    sums.resize(static_cast<size_t>(pairs));
    for (auto& s : sums) s.lanes[0] = s.lanes[1] = _mm256_setzero_ps();
    for (int64_t g = 0; g < ng; ++g) {
        for (auto& s : sums) std::fill(std::begin(s.acc), std::end(s.acc), _mm256_setzero_si256());
        for (int64_t c0 = g * gs; c0 < (g + 1) * gs; c0 += kChunkCols) {
            const int64_t c1 = std::min((g + 1) * gs, c0 + kChunkCols);
            for (int64_t p = 0; p < pairs; ++p) tile_pair_i32<R>(unpacked, k, x.row(t0 + 2 * p), c0, c1, sums[size_t(p)].acc);
        }
        alignas(32) float sv[16] = {};
        scalar_detail::lane_scales<2 * R, 2>(w.scales.data(), ng, g, n, sv);
        for (int64_t p = 0; p < pairs; ++p)
            add_pair_group<R>(sums[size_t(p)].acc, gsum, ng, g, t0 + 2 * p, sv, sums[size_t(p)].lanes);
    }
    for (int64_t p = 0; p < pairs; ++p) {
        alignas(32) float lane[16];
        _mm256_store_ps(lane, sums[size_t(p)].lanes[0]);
        _mm256_store_ps(lane + 8, sums[size_t(p)].lanes[1]);
        for (int i = 0; i < 2 * R; ++i) {
            const int64_t t = t0 + 2 * p + i % 2;
            out[(2 * p + i % 2) * ldo + i / 2] = lane[i] * x.dequant[size_t(t)];
        }
    }
}

// The last 1-3 rows of a row range that 6- and 4-row tiles do not cover: straight into y.
template <int R>
void gemm_row_tile(const uint8_t* unpacked, const TernaryMatrix& w, int64_t n, const QuantizedActs& x,
                   int64_t t0, int64_t t1, const int32_t* gsum, float* y, int64_t ldy) {
    const int64_t k = w.cols;
    int64_t t = t0;
    for (; t + 2 <= t1; t += 2) gemm_micro<R, 2>(unpacked, k, w, n, x, t, gsum, y, ldy);
    if (t < t1) gemm_micro<R, 1>(unpacked, k, w, n, x, t, gsum, y, ldy);
}

// Rows per output panel: the tiles' results for a token block gather in a buffer of three cache
// lines (48 floats, eight 6-row tiles) per token and go to y whole lines at a time. Written
// straight into y (4 floats per token, rows ldy * 4 bytes apart) the half-written lines were
// evicted between tiles.
constexpr int64_t kPanelRows = 48;

// Rows [pn, pn1) (at most kPanelRows) x tokens [t0, t1): tiles of 6 rows, 4 where 6 does not
// divide (16 = 6 + 6 + 4, 8 = 4 + 4; the thread pool hands out multiples of 16 rows).
void gemm_panel(const TernaryMatrix& w, int64_t pn, int64_t pn1, const QuantizedActs& x, int64_t t0, int64_t t1,
                const int32_t* gsum, uint8_t* unpacked, float* panel, float* y, int64_t ldy) {
    const int64_t pairs = (t1 - t0) / 2;
    int64_t n = pn;
    while (pn1 - n >= 4) {
        const int64_t left = pn1 - n;
        const int rows = left >= 6 && left != 8 ? 6 : 4;
        unpack_rows(w, n, rows, unpacked);
        if (rows == 6) gemm_rows_pairs<6>(unpacked, w, n, x, t0, pairs, gsum, panel + (n - pn), kPanelRows);
        else gemm_rows_pairs<4>(unpacked, w, n, x, t0, pairs, gsum, panel + (n - pn), kPanelRows);
        if (2 * pairs < t1 - t0) {
            if (rows == 6) gemm_micro<6, 1>(unpacked, w.cols, w, n, x, t1 - 1, gsum, y, ldy);
            else gemm_micro<4, 1>(unpacked, w.cols, w, n, x, t1 - 1, gsum, y, ldy);
        }
        n += rows;
    }
    const int64_t done = n - pn;
    for (int64_t i = 0; i < 2 * pairs; ++i) {
        float* dst = y + (t0 + i) * ldy + pn;
        const float* src = panel + i * kPanelRows;
        int64_t c = 0;
        for (; c + 8 <= done; c += 8) _mm256_storeu_ps(dst + c, _mm256_loadu_ps(src + c));
        for (; c < done; ++c) dst[c] = src[c];
    }
    if (n < pn1) {
        const int rows = static_cast<int>(pn1 - n);
        unpack_rows(w, n, rows, unpacked);
        switch (rows) {
            case 3: gemm_row_tile<3>(unpacked, w, n, x, t0, t1, gsum, y, ldy); break;
            case 2: gemm_row_tile<2>(unpacked, w, n, x, t0, t1, gsum, y, ldy); break;
            default: gemm_row_tile<1>(unpacked, w, n, x, t0, t1, gsum, y, ldy); break;
        }
    }
}

}  // namespace

void ternary_gemm_tokens(const TernaryMatrix& w, int64_t n0, int64_t n1, const QuantizedActs& x, const int32_t* gsum,
                         float* y, int64_t ldy) {
    const int64_t k = w.cols;
    thread_local AlignedPtr<uint8_t> unpacked;
    thread_local int64_t unpacked_cap = 0;
    if (unpacked_cap < 6 * k) {
        unpacked = make_aligned<uint8_t>(static_cast<size_t>(6 * k));
        unpacked_cap = 6 * k;
    }
    // Token blocks whose activations stay in L2 (~256 KiB) while the row tiles sweep past.
    const int64_t tb = std::max<int64_t>(2, (262144 / k) & ~int64_t(1));
    thread_local std::vector<float> panel;
    panel.resize(static_cast<size_t>(tb * kPanelRows));
    const int64_t m = x.rows;
    for (int64_t t0 = 0; t0 < m; t0 += tb) {
        const int64_t t1 = std::min(m, t0 + tb);
        for (int64_t n = n0; n < n1; n += kPanelRows)
            gemm_panel(w, n, std::min(n1, n + kPanelRows), x, t0, t1, gsum, unpacked.get(), panel.data(), y, ldy);
    }
}

}  // namespace tern::avx2
