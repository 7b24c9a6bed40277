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

// Decode prefetch distance: far enough ahead to hide DRAM latency at one core's bandwidth. The
// prefetches go to L2, as in the AVX-512 sets (avx512_common.h says why): tg128 --kernel avx2
// 68.1 vs 64.9 tok/s against prefetching into L1 (10 alternating rounds, won 9/10).
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
                    if ((b & 1) == 0) _mm_prefetch(reinterpret_cast<const char*>(p + kPrefetchBytes), _MM_HINT_T1);
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

// Batches of a few tokens (T): memory-bound like decode, so the same R far-apart row streams,
// each row's codes decoded in registers once for all T tokens (the activations come from L1).
// Decode keeps gemv_rows, its activations held in registers: run as this with T = 1, tg128
// --kernel avx2 lost 4 of 5 alternating rounds (0.96x).
template <int R, int T>
void gemv_rows_tokens(const TernaryMatrix& w, const int64_t* rows, const QuantizedActs& x, const int32_t* gsum,
                      float* y, int64_t ldy) {
    const __m256i m3 = _mm256_set1_epi8(3), ones16 = _mm256_set1_epi16(1);
    const int64_t ng = w.groups_per_row(), bpg = w.group_size / 128;
    const uint8_t* base[R];
    for (int r = 0; r < R; ++r) base[r] = w.row_codes(rows[r]);
    float sum[R][T] = {};
    for (int64_t g = 0; g < ng; ++g) {
        __m256i acc32[R * T];
        for (int i = 0; i < R * T; ++i) acc32[i] = _mm256_setzero_si256();
        for (int64_t b0 = g * bpg; b0 < (g + 1) * bpg; b0 += kFlushBlocks) {
            const int64_t b1 = std::min((g + 1) * bpg, b0 + kFlushBlocks);
            __m256i acc16[R * T];
            for (int i = 0; i < R * T; ++i) acc16[i] = _mm256_setzero_si256();
            for (int64_t b = b0; b < b1; ++b) {
#pragma GCC unroll 4
                for (int r = 0; r < R; ++r) {
                    const uint8_t* p = base[r] + b * 32;
                    if ((b & 1) == 0) _mm_prefetch(reinterpret_cast<const char*>(p + kPrefetchBytes), _MM_HINT_T1);
                    const __m256i c = load256(p);
                    const __m256i d0 = _mm256_and_si256(c, m3), d1 = _mm256_and_si256(_mm256_srli_epi16(c, 2), m3),
                                  d2 = _mm256_and_si256(_mm256_srli_epi16(c, 4), m3),
                                  d3 = _mm256_and_si256(_mm256_srli_epi16(c, 6), m3);
                    for (int j = 0; j < T; ++j) {
                        const int8_t* qb = x.row(j) + b * 128;
                        __m256i s = _mm256_maddubs_epi16(d0, load256(qb));
                        s = _mm256_add_epi16(s, _mm256_maddubs_epi16(d1, load256(qb + 32)));
                        s = _mm256_add_epi16(s, _mm256_maddubs_epi16(d2, load256(qb + 64)));
                        s = _mm256_add_epi16(s, _mm256_maddubs_epi16(d3, load256(qb + 96)));
                        acc16[r * T + j] = _mm256_add_epi16(acc16[r * T + j], s);
                    }
                }
            }
            for (int i = 0; i < R * T; ++i) acc32[i] = _mm256_add_epi32(acc32[i], _mm256_madd_epi16(acc16[i], ones16));
        }
        for (int r = 0; r < R; ++r)
            for (int j = 0; j < T; ++j) {
                float part = static_cast<float>(hsum_i32(acc32[r * T + j]) - gsum[j * ng + g]) * w.scales[rows[r] * ng + g];
                TERN_NO_CONTRACT(part);
                sum[r][j] += part;
            }
    }
    for (int r = 0; r < R; ++r)
        for (int j = 0; j < T; ++j) y[j * ldy + rows[r]] = sum[r][j] * x.dequant[static_cast<size_t>(j)];
}

template <int T>
void stream_rows_tokens(const TernaryMatrix& w, int64_t n0, int64_t n1, const QuantizedActs& x, const int32_t* gsum,
                        float* y, int64_t ldy) {
    const int64_t part = (n1 - n0) / kGemvStreams;
    for (int64_t i = 0; i < part; ++i) {
        int64_t rows[kGemvStreams];
        for (int s = 0; s < kGemvStreams; ++s) rows[s] = n0 + s * part + i;
        gemv_rows_tokens<kGemvStreams, T>(w, rows, x, gsum, y, ldy);
    }
    for (int64_t n = n0 + kGemvStreams * part; n < n1; ++n) gemv_rows_tokens<1, T>(w, &n, x, gsum, y, ldy);
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
    // 2-4 tokens as decode-style streams (harness, 2 threads, against the unpacking GEMM below:
    // M = 2 +14-68 %, M = 3 +67 %, M = 4 +10-33 %, won 4-6 of 5-6 alternating rounds; at M = 8
    // the streams lost 0.8x).
    switch (m) {
        case 2: return stream_rows_tokens<2>(w, n0, n1, x, gsum.data(), y, ldy);
        case 3: return stream_rows_tokens<3>(w, n0, n1, x, gsum.data(), y, ldy);
        case 4: return stream_rows_tokens<4>(w, n0, n1, x, gsum.data(), y, ldy);
        default: break;
    }
    avx2::ternary_gemm_tokens(w, n0, n1, x, gsum.data(), y, ldy);
}

const RoofProbe kProbes[] = {{"maddubs_ymm", avx2::maddubs_ymm}};

// The batched GEMM, float kernels, attention and probes live in avx2_gemm.cpp, avx2_float.cpp,
// avx2_attention.cpp and avx2_probes.cpp (avx2_parts.h), compiled with the same flags.
const KernelSet kAvx2 = {
    "avx2",          quantize_acts,      ternary_gemm,       ternary_dot_i32,  avx2::f32_gemm,
    avx2::f16_gemm,  avx2::dot_f32,      avx2::dot_f16_f32,  avx2::axpy_f32,   avx2::axpy_f16_f32,
    avx2::rmsnorm,   avx2::attend_f32,   avx2::attend_f16,   avx2_int8_gemm,
    TERN_ISA,  // engine/CMakeLists.txt: the extensions this file is compiled with
    "maddubs_ymm", "maddubs_ymm", kProbes, 1, avx2::sum_bytes, avx2::f32_to_f16_row,
    avx2::silu_gate, avx2::attend_rows_f32, avx2::attend_rows_f16,
};

}  // namespace

const KernelSet* avx2_kernels() { return &kAvx2; }

}  // namespace tern
