// AVX2 + FMA + F16C + BMI2 kernel set (this file alone is compiled with those flags; dispatch.cpp
// only hands it out when the CPU and OS support them).
//
// Ternary products use codes c in {0,1,2} as the unsigned operand of vpmaddubsw:
// sum (c-1)*q = sum c*q - sum q, where sum q comes from the activation block sums. One
// maddubs lane is at most 2*2*128 = 512 in magnitude, so up to 63 of them fit in int16; we
// widen to int32 (vpmaddwd with ones) every <= 32 maddubs per lane, never later.
// Float outputs are bit-identical to scalar.cpp: the same exact int32 per group, then
// sum += float(acc) * scale (product rounded, then sum rounded), then * dequant.
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "engine/kernels/int8_rows.h"
#include "engine/kernels/kernel_set.h"
#include "engine/kernels/scalar_common.h"
#include "engine/kernels/avx2_common.h"
#include "engine/kernels/avx2_parts.h"

namespace tern {

namespace {

// ---- activation quantization --------------------------------------------------------------

void quantize_acts(const float* x, int64_t m, int64_t k, int64_t ldx, QuantizedActs& out) {
    out.resize(m, k);
    const int64_t nb = k / 128;
    const __m256 sign = _mm256_set1_ps(-0.0f);
    const __m256 lo = _mm256_set1_ps(-128.0f), hi = _mm256_set1_ps(127.0f);
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    for (int64_t r = 0; r < m; ++r) {
        const float* xr = x + r * ldx;
        // max(|x|, acc) keeps acc when x is NaN, like the scalar `a > amax ? a : amax`.
        __m256 mx = _mm256_setzero_ps();
        for (int64_t i = 0; i < k; i += 8) mx = _mm256_max_ps(_mm256_andnot_ps(sign, _mm256_loadu_ps(xr + i)), mx);
        const float s = 127.0f / std::max(hmax_f32(mx), 1e-5f);
        out.dequant[r] = 1.0f / s;
        const __m256 vs = _mm256_set1_ps(s);
        int8_t* q = out.q.get() + r * k;
        for (int64_t b = 0; b < nb; ++b) {
            __m256i bsum = _mm256_setzero_si256();
            for (int64_t c = b * 128; c < (b + 1) * 128; c += 32) {
                __m256i iv[4];
                for (int u = 0; u < 4; ++u) {
                    __m256 v = _mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(xr + c + 8 * u), vs),
                                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
                    v = _mm256_min_ps(_mm256_max_ps(v, lo), hi);  // NaN -> -128 like scalar
                    iv[u] = _mm256_cvtps_epi32(v);
                    bsum = _mm256_add_epi32(bsum, iv[u]);
                }
                const __m256i p = _mm256_packs_epi16(_mm256_packs_epi32(iv[0], iv[1]),
                                                     _mm256_packs_epi32(iv[2], iv[3]));
                _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + c), _mm256_permutevar8x32_epi32(p, order));
            }
            out.block_sums[r * nb + b] = hsum_i32(bsum);
        }
    }
}

// ---- ternary integer core -----------------------------------------------------------------

int32_t ternary_dot_i32(const uint8_t* codes, const int8_t* q, int64_t k) {
    const __m256i m3 = _mm256_set1_epi8(3), ones8 = _mm256_set1_epi8(1), ones16 = _mm256_set1_epi16(1);
    __m256i acc = _mm256_setzero_si256();
    for (int64_t b = 0; b < k / 128; ++b) {
        const __m256i c = load256(codes + b * 32);
        const int8_t* qb = q + b * 128;
        const __m256i q0 = load256(qb), q1 = load256(qb + 32), q2 = load256(qb + 64), q3 = load256(qb + 96);
        // |cq| <= 4*512 and |sq| <= 4*256: both fit int16, and so does their difference.
        __m256i cq = _mm256_maddubs_epi16(_mm256_and_si256(c, m3), q0);
        cq = _mm256_add_epi16(cq, _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(c, 2), m3), q1));
        cq = _mm256_add_epi16(cq, _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(c, 4), m3), q2));
        cq = _mm256_add_epi16(cq, _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(c, 6), m3), q3));
        __m256i sq = _mm256_add_epi16(_mm256_maddubs_epi16(ones8, q0), _mm256_maddubs_epi16(ones8, q1));
        sq = _mm256_add_epi16(sq, _mm256_add_epi16(_mm256_maddubs_epi16(ones8, q2), _mm256_maddubs_epi16(ones8, q3)));
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_sub_epi16(cq, sq), ones16));
    }
    return hsum_i32(acc);
}

// Per-token, per-group sums of q (from the 128-blocks sums), so a group's product is
// sum c*q - group_sum.
void group_sums(const QuantizedActs& x, int64_t group_size, std::vector<int32_t>& out) {
    const int64_t nb = x.cols / 128, bpg = group_size / 128, ng = x.cols / group_size;
    out.assign(static_cast<size_t>(x.rows * ng), 0);
    for (int64_t t = 0; t < x.rows; ++t)
        for (int64_t g = 0; g < ng; ++g) {
            int32_t s = 0;
            for (int64_t b = g * bpg; b < (g + 1) * bpg; ++b) s += x.block_sums[t * nb + b];
            out[t * ng + g] = s;
        }
}

constexpr int64_t kFlushBlocks = 8;  // 128-blocks summed in int16 before widening (<= 15 safe)
// Decode prefetch distance: far enough ahead to hide DRAM latency at one core's bandwidth.
constexpr int64_t kPrefetchBytes = 8192;
// Decode reads each thread's rows as kGemvStreams concurrent sequential streams: row i of
// each of kGemvStreams equal parts of [n0, n1), in lockstep, sharing the activation loads.
// One sequential stream per core reached ~11 GB/s here, four far-apart streams per core ~15
// (and 23.7 vs 17 GB/s on two cores): more streams keep more DRAM requests in flight.
// Consecutive rows are no substitute: a row is only a few cache lines, too short a stream for
// the hardware prefetchers (measured ~25% slower than one row at a time).
constexpr int kGemvStreams = 4;

// Decode (one token): R rows (any indices) decoded in registers, sharing the activation
// loads. Memory-bound: the packed codes stream once, prefetched ahead.
template <int R>
void gemv_rows(const TernaryMatrix& w, const int64_t* rows, const int8_t* q, const int32_t* gsum, float dequant,
               float* y) {
    const __m256i m3 = _mm256_set1_epi8(3), ones16 = _mm256_set1_epi16(1);
    const int64_t ng = w.groups_per_row(), bpg = w.group_size / 128;
    const uint8_t* base[R];
    for (int r = 0; r < R; ++r) base[r] = w.row_codes(rows[r]);
    float sum[R] = {};
    for (int64_t g = 0; g < ng; ++g) {
        __m256i acc32[R];
        for (int r = 0; r < R; ++r) acc32[r] = _mm256_setzero_si256();
        for (int64_t b0 = g * bpg; b0 < (g + 1) * bpg; b0 += kFlushBlocks) {
            const int64_t b1 = std::min((g + 1) * bpg, b0 + kFlushBlocks);
            __m256i acc16[R];
            for (int r = 0; r < R; ++r) acc16[r] = _mm256_setzero_si256();
            for (int64_t b = b0; b < b1; ++b) {
                const int8_t* qb = q + b * 128;
                const __m256i q0 = load256(qb), q1 = load256(qb + 32), q2 = load256(qb + 64),
                              q3 = load256(qb + 96);
#pragma GCC unroll 4
                for (int r = 0; r < R; ++r) {
                    const uint8_t* p = base[r] + b * 32;
                    if ((b & 1) == 0) _mm_prefetch(reinterpret_cast<const char*>(p + kPrefetchBytes), _MM_HINT_T0);
                    const __m256i c = load256(p);
                    __m256i s = _mm256_maddubs_epi16(_mm256_and_si256(c, m3), q0);
                    s = _mm256_add_epi16(s, _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(c, 2), m3), q1));
                    s = _mm256_add_epi16(s, _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(c, 4), m3), q2));
                    s = _mm256_add_epi16(s, _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(c, 6), m3), q3));
                    acc16[r] = _mm256_add_epi16(acc16[r], s);
                }
            }
            for (int r = 0; r < R; ++r) acc32[r] = _mm256_add_epi32(acc32[r], _mm256_madd_epi16(acc16[r], ones16));
        }
        for (int r = 0; r < R; ++r) {
            float part = static_cast<float>(hsum_i32(acc32[r]) - gsum[g]) * w.scales[rows[r] * ng + g];
            TERN_NO_CONTRACT(part);
            sum[r] += part;
        }
    }
    for (int r = 0; r < R; ++r) y[rows[r]] = sum[r] * dequant;
}

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

// Eight int32 tile sums of one group (lane i = row i / T, token i % T) combined into the float
// lanes like scalar.cpp: (sum - group_sum) * scale, product rounded, then added.
template <int T>
inline __m256 add_group_lanes(const __m256i* acc32, const int32_t* gsum, int64_t ng, int64_t g, int64_t t,
                              const float* scales, int64_t n, __m256 sum8) {
    alignas(32) int32_t gv[8];
    alignas(32) float sv[8];
    scalar_detail::tile_lane_terms<8, T>(gsum, ng, g, t, scales, n, gv, sv);
    const __m256i a = _mm256_sub_epi32(hsum8_i32(acc32), _mm256_load_si256(reinterpret_cast<const __m256i*>(gv)));
    __m256 part = _mm256_mul_ps(_mm256_cvtepi32_ps(a), _mm256_load_ps(sv));
    TERN_NO_CONTRACT(part);
    return _mm256_add_ps(sum8, part);
}

template <int T>
inline void store_lanes(__m256 sum8, const float* dequant, int64_t t, int64_t n, float* y, int64_t ldy) {
    alignas(32) float out[8];
    _mm256_store_ps(out, sum8);
    scalar_detail::store_tile_lanes<8, T>(out, dequant, t, n, y, ldy);
}

// Batched (many tokens): codes of a tile of rows are unpacked once into one byte per weight
// (natural order) and reused for every token of the token block; an R x T register tile of
// int16 accumulators takes one maddubs + one add per 32 products.
template <int R, int T>
void gemm_micro(const uint8_t* unpacked, int64_t k, const TernaryMatrix& w, int64_t n, const QuantizedActs& x,
                int64_t t, const int32_t* gsum, float* y, int64_t ldy) {
    const __m256i ones16 = _mm256_set1_epi16(1);
    const int64_t ng = w.groups_per_row(), gs = w.group_size;
    const int8_t* qrow[T];
    for (int j = 0; j < T; ++j) qrow[j] = x.row(t + j);
    float sum[R][T] = {};
    __m256 sum8 = _mm256_setzero_ps();
    for (int64_t g = 0; g < ng; ++g) {
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
        if constexpr (R * T == 8) {
            sum8 = add_group_lanes<T>(acc32, gsum, ng, g, t, w.scales.data(), n, sum8);
        } else {
            scalar_detail::add_group_parts<R, T>([&](int r, int j) { return hsum_i32(acc32[r * T + j]); }, gsum, ng, g,
                                                 t, w.scales.data(), n, sum);
        }
    }
    if constexpr (R * T == 8) {
        store_lanes<T>(sum8, x.dequant.data(), t, n, y, ldy);
    } else {
        scalar_detail::store_tile<R, T>(sum, x.dequant.data(), t, n, y, ldy);
    }
}

// Columns per chunk of the 4-row tile: the chunk of the four unpacked rows (8 KiB) stays in L1
// while every token pair passes over it. Whole rows did not fit for ffn_down (4 x 5632 B of
// codes + 2 x 5632 B of activations per pass > 32 KiB L1): in one `kernel` run that shape gave
// 251 GOPS against 391 for K = 2048.
constexpr int64_t kChunkCols = 2048;

// Rows [n, n+4) x the token pairs from t0: per scale group, chunk by chunk, every pair; the
// int32 sums are exact, so the order of chunks and pairs does not change any result.
void gemm_rows4_pairs(const uint8_t* unpacked, const TernaryMatrix& w, int64_t n, const QuantizedActs& x, int64_t t0,
                      int64_t pairs, const int32_t* gsum, float* y, int64_t ldy) {
    const int64_t k = w.cols, ng = w.groups_per_row(), gs = w.group_size;
    struct PairSums {
        __m256i acc[8];  // rows x tokens, one group
        __m256 lanes;    // the float sums over groups
    };
    thread_local std::vector<PairSums> sums;
    sums.resize(static_cast<size_t>(pairs));
    for (auto& s : sums) s.lanes = _mm256_setzero_ps();
    for (int64_t g = 0; g < ng; ++g) {
        for (auto& s : sums) std::fill(std::begin(s.acc), std::end(s.acc), _mm256_setzero_si256());
        for (int64_t c0 = g * gs; c0 < (g + 1) * gs; c0 += kChunkCols) {
            const int64_t c1 = std::min((g + 1) * gs, c0 + kChunkCols);
            for (int64_t p = 0; p < pairs; ++p)
                tile4x2_i32(unpacked, k, x.row(t0 + 2 * p), x.row(t0 + 2 * p + 1), c0, c1, sums[size_t(p)].acc);
        }
        for (int64_t p = 0; p < pairs; ++p) {
            PairSums& s = sums[size_t(p)];
            s.lanes = add_group_lanes<2>(s.acc, gsum, ng, g, t0 + 2 * p, w.scales.data(), n, s.lanes);
        }
    }
    for (int64_t p = 0; p < pairs; ++p) store_lanes<2>(sums[size_t(p)].lanes, x.dequant.data(), t0 + 2 * p, n, y, ldy);
}

void unpack_rows(const TernaryMatrix& w, int64_t n, int rows, uint8_t* out) {
    const __m256i m3 = _mm256_set1_epi8(3);
    const int64_t k = w.cols;
    for (int r = 0; r < rows; ++r) {
        const uint8_t* src = w.row_codes(n + r);
        uint8_t* dst = out + r * k;
        for (int64_t b = 0; b < k / 128; ++b) {
            // The next row tile streams in from DRAM while this one is multiplied.
            if ((b & 1) == 0) _mm_prefetch(reinterpret_cast<const char*>(src + b * 32 + 4 * (k / 4)), _MM_HINT_T0);
            const __m256i c = load256(src + b * 32);
            __m256i* d = reinterpret_cast<__m256i*>(dst + b * 128);
            _mm256_storeu_si256(d + 0, _mm256_and_si256(c, m3));
            _mm256_storeu_si256(d + 1, _mm256_and_si256(_mm256_srli_epi16(c, 2), m3));
            _mm256_storeu_si256(d + 2, _mm256_and_si256(_mm256_srli_epi16(c, 4), m3));
            _mm256_storeu_si256(d + 3, _mm256_and_si256(_mm256_srli_epi16(c, 6), m3));
        }
    }
}

template <int R>
void gemm_row_tile(const uint8_t* unpacked, const TernaryMatrix& w, int64_t n, const QuantizedActs& x,
                   int64_t t0, int64_t t1, const int32_t* gsum, float* y, int64_t ldy) {
    const int64_t k = w.cols;
    int64_t t = t0;
    if constexpr (R == 4) {
        const int64_t pairs = (t1 - t0) / 2;
        gemm_rows4_pairs(unpacked, w, n, x, t0, pairs, gsum, y, ldy);
        t += 2 * pairs;
    } else {
        for (; t + 2 <= t1; t += 2) gemm_micro<R, 2>(unpacked, k, w, n, x, t, gsum, y, ldy);
    }
    if (t < t1) gemm_micro<R, 1>(unpacked, k, w, n, x, t, gsum, y, ldy);
}

void ternary_gemm(const TernaryMatrix& w, int64_t n0, int64_t n1, const QuantizedActs& x, float* y,
                  int64_t ldy) {
    thread_local std::vector<int32_t> gsum;
    group_sums(x, w.group_size, gsum);
    const int64_t m = x.rows;
    if (m == 1) {
        const int64_t part = (n1 - n0) / kGemvStreams;
        for (int64_t i = 0; i < part; ++i) {
            int64_t rows[kGemvStreams];
            for (int s = 0; s < kGemvStreams; ++s) rows[s] = n0 + s * part + i;
            gemv_rows<kGemvStreams>(w, rows, x.row(0), gsum.data(), x.dequant[0], y);
        }
        for (int64_t n = n0 + kGemvStreams * part; n < n1; ++n) gemv_rows<1>(w, &n, x.row(0), gsum.data(), x.dequant[0], y);
        return;
    }
    const int64_t k = w.cols;
    thread_local AlignedPtr<uint8_t> unpacked;
    thread_local int64_t unpacked_cap = 0;
    if (unpacked_cap < 4 * k) {
        unpacked = make_aligned<uint8_t>(static_cast<size_t>(4 * k));
        unpacked_cap = 4 * k;
    }
    // Token blocks whose activations stay in L2 (~256 KiB) while the row tiles sweep past.
    const int64_t tb = std::max<int64_t>(2, (262144 / k) & ~int64_t(1));
    for (int64_t t0 = 0; t0 < m; t0 += tb) {
        const int64_t t1 = std::min(m, t0 + tb);
        for (int64_t n = n0; n < n1; n += 4) {
            const int rows = static_cast<int>(std::min<int64_t>(4, n1 - n));
            unpack_rows(w, n, rows, unpacked.get());
            switch (rows) {
                case 4: gemm_row_tile<4>(unpacked.get(), w, n, x, t0, t1, gsum.data(), y, ldy); break;
                case 3: gemm_row_tile<3>(unpacked.get(), w, n, x, t0, t1, gsum.data(), y, ldy); break;
                case 2: gemm_row_tile<2>(unpacked.get(), w, n, x, t0, t1, gsum.data(), y, ldy); break;
                default: gemm_row_tile<1>(unpacked.get(), w, n, x, t0, t1, gsum.data(), y, ldy); break;
            }
        }
    }
}

const RoofProbe kProbes[] = {{"maddubs_ymm", avx2::maddubs_ymm}};

// The float kernels, attention and probes live in avx2_float.cpp, avx2_attention.cpp and
// avx2_probes.cpp (avx2_parts.h), compiled with the same flags.
const KernelSet kAvx2 = {
    "avx2",          quantize_acts,      ternary_gemm,       ternary_dot_i32,  avx2::f32_gemm,
    avx2::f16_gemm,  avx2::dot_f32,      avx2::dot_f16_f32,  avx2::axpy_f32,   avx2::axpy_f16_f32,
    avx2::rmsnorm,   avx2::attend_f32,   avx2::attend_f16,   avx2_int8_gemm,
    TERN_ISA,  // engine/CMakeLists.txt: the extensions this file is compiled with
    "maddubs_ymm", "maddubs_ymm", kProbes, 1, avx2::sum_bytes, avx2::f32_to_f16_row,
    avx2::silu_gate,
};

}  // namespace

const KernelSet* avx2_kernels() { return &kAvx2; }

}  // namespace tern
