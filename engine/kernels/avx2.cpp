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

namespace tern {

namespace {

// ---- horizontal helpers -------------------------------------------------------------------

inline int32_t hsum_i32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(s);
}

inline float hsum_f32(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

inline float hmax_f32(__m256 v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// Eight int32 vectors -> their eight horizontal sums, in order.
inline __m256i hsum8_i32(const __m256i* v) {
    const __m256i u0 = _mm256_hadd_epi32(_mm256_hadd_epi32(v[0], v[1]), _mm256_hadd_epi32(v[2], v[3]));
    const __m256i u1 = _mm256_hadd_epi32(_mm256_hadd_epi32(v[4], v[5]), _mm256_hadd_epi32(v[6], v[7]));
    return _mm256_add_epi32(_mm256_permute2x128_si256(u0, u1, 0x20),
                            _mm256_permute2x128_si256(u0, u1, 0x31));
}

inline __m256i load256(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }

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
// It covers a whole scale group [k0, k1), widening the int16 sums into the int32 `out` every
// kFlushBlocks blocks itself: one call per group instead of one per flush keeps the call and
// combine overhead small next to the multiply-adds.
__attribute__((noinline)) void tile4x2_i32(const uint8_t* u0, int64_t k, const int8_t* qa, const int8_t* qb,
                                           int64_t k0, int64_t k1, __m256i* out) {
    const uint8_t *u1 = u0 + k, *u2 = u1 + k, *u3 = u2 + k;
    const __m256i ones16 = _mm256_set1_epi16(1);
    for (int i = 0; i < 8; ++i) out[i] = _mm256_setzero_si256();
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
        if constexpr (R == 4 && T == 2) {
            tile4x2_i32(unpacked, k, qrow[0], qrow[1], g * gs, (g + 1) * gs, acc32);
        } else for (int64_t k0 = g * gs; k0 < (g + 1) * gs; k0 += kFlushBlocks * 128) {
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
            // Lane i = (row i / T, token i % T): all eight combines in one vector.
            alignas(32) int32_t gv[8];
            alignas(32) float sv[8];
            for (int i = 0; i < 8; ++i) {
                gv[i] = gsum[(t + i % T) * ng + g];
                sv[i] = w.scales[(n + i / T) * ng + g];
            }
            const __m256i a = _mm256_sub_epi32(hsum8_i32(acc32), _mm256_load_si256(reinterpret_cast<const __m256i*>(gv)));
            __m256 part = _mm256_mul_ps(_mm256_cvtepi32_ps(a), _mm256_load_ps(sv));
            TERN_NO_CONTRACT(part);
            sum8 = _mm256_add_ps(sum8, part);
        } else {
            for (int r = 0; r < R; ++r)
                for (int j = 0; j < T; ++j) {
                    float part = static_cast<float>(hsum_i32(acc32[r * T + j]) - gsum[(t + j) * ng + g]) *
                                 w.scales[(n + r) * ng + g];
                    TERN_NO_CONTRACT(part);
                    sum[r][j] += part;
                }
        }
    }
    if constexpr (R * T == 8) {
        alignas(32) float out[8];
        _mm256_store_ps(out, sum8);
        for (int i = 0; i < 8; ++i) y[(t + i % T) * ldy + n + i / T] = out[i] * x.dequant[t + i % T];
    } else {
        for (int r = 0; r < R; ++r)
            for (int j = 0; j < T; ++j) y[(t + j) * ldy + n + r] = sum[r][j] * x.dequant[t + j];
    }
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
    for (; t + 2 <= t1; t += 2) gemm_micro<R, 2>(unpacked, k, w, n, x, t, gsum, y, ldy);
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

// ---- float kernels ------------------------------------------------------------------------

inline __m256 load8_f16(const uint16_t* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
inline __m256 load8_f32(const float* p) { return _mm256_loadu_ps(p); }
inline float load1(const float* p) { return *p; }
inline float load1(const uint16_t* p) { return scalar_detail::f16_to_f32(*p); }
inline __m256 load8(const float* p) { return load8_f32(p); }
inline __m256 load8(const uint16_t* p) { return load8_f16(p); }

template <class W>
float dot_any(const W* a, const float* b, int64_t n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = _mm256_fmadd_ps(load8(a + i), _mm256_loadu_ps(b + i), acc0);
        acc1 = _mm256_fmadd_ps(load8(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
    }
    if (i + 8 <= n) {
        acc0 = _mm256_fmadd_ps(load8(a + i), _mm256_loadu_ps(b + i), acc0);
        i += 8;
    }
    float s = hsum_f32(_mm256_add_ps(acc0, acc1));
    for (; i < n; ++i) s += load1(a + i) * b[i];
    return s;
}

float dot_f32(const float* a, const float* b, int64_t n) { return dot_any(a, b, n); }
float dot_f16_f32(const uint16_t* a, const float* b, int64_t n) { return dot_any(a, b, n); }

// Four weight rows per pass share each activation load; tokens loop inside the row tile so
// the tile stays in cache while every token uses it.
template <class W>
void float_gemm(const W* w, int64_t n0, int64_t n1, const float* x, int64_t m, int64_t k, float* y, int64_t ldy) {
    int64_t n = n0;
    for (; n + 4 <= n1; n += 4) {
        const W* r0 = w + n * k;
        const W *r1 = r0 + k, *r2 = r1 + k, *r3 = r2 + k;
        for (int64_t t = 0; t < m; ++t) {
            const float* xt = x + t * k;
            __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
            int64_t i = 0;
            for (; i + 8 <= k; i += 8) {
                const __m256 xv = _mm256_loadu_ps(xt + i);
                a0 = _mm256_fmadd_ps(load8(r0 + i), xv, a0);
                a1 = _mm256_fmadd_ps(load8(r1 + i), xv, a1);
                a2 = _mm256_fmadd_ps(load8(r2 + i), xv, a2);
                a3 = _mm256_fmadd_ps(load8(r3 + i), xv, a3);
            }
            float s0 = hsum_f32(a0), s1 = hsum_f32(a1), s2 = hsum_f32(a2), s3 = hsum_f32(a3);
            for (; i < k; ++i) {
                s0 += load1(r0 + i) * xt[i];
                s1 += load1(r1 + i) * xt[i];
                s2 += load1(r2 + i) * xt[i];
                s3 += load1(r3 + i) * xt[i];
            }
            float* yt = y + t * ldy + n;
            yt[0] = s0, yt[1] = s1, yt[2] = s2, yt[3] = s3;
        }
    }
    for (; n < n1; ++n)
        for (int64_t t = 0; t < m; ++t) y[t * ldy + n] = dot_any(w + n * k, x + t * k, k);
}

void f32_gemm(const float* w, int64_t n0, int64_t n1, const float* x, int64_t m, int64_t k, float* y,
              int64_t ldy) {
    float_gemm(w, n0, n1, x, m, k, y, ldy);
}
void f16_gemm(const uint16_t* w, int64_t n0, int64_t n1, const float* x, int64_t m, int64_t k, float* y,
              int64_t ldy) {
    float_gemm(w, n0, n1, x, m, k, y, ldy);
}

template <class W>
void axpy_any(float a, const W* x, float* y, int64_t n) {
    const __m256 va = _mm256_set1_ps(a);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, load8(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; ++i) y[i] += a * load1(x + i);
}
void axpy_f32(float a, const float* x, float* y, int64_t n) { axpy_any(a, x, y, n); }
void axpy_f16_f32(float a, const uint16_t* x, float* y, int64_t n) { axpy_any(a, x, y, n); }

void rmsnorm(const float* x, const float* w, int64_t n, float eps, float* out) {
    // Sum of squares in double like the reference, four lanes at a time.
    __m256d acc = _mm256_setzero_pd();
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const __m256d v = _mm256_cvtps_pd(_mm_loadu_ps(x + i));
        acc = _mm256_fmadd_pd(v, v, acc);
    }
    alignas(32) double lanes[4];
    _mm256_store_pd(lanes, acc);
    double ss = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    for (; i < n; ++i) ss += static_cast<double>(x[i]) * x[i];
    const float scale = scalar_detail::rms_scale(ss, n, eps);
    const __m256 vs = _mm256_set1_ps(scale);
    i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_mul_ps(_mm256_loadu_ps(x + i), vs);
        if (w) v = _mm256_mul_ps(v, _mm256_loadu_ps(w + i));
        _mm256_storeu_ps(out + i, v);
    }
    for (; i < n; ++i) out[i] = w ? (x[i] * scale) * w[i] : x[i] * scale;
}

// ---- attention ----------------------------------------------------------------------------

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
    int64_t j = 0;
    for (; j + 8 <= n; j += 8) {
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

void attend_f32(const float* q, const float* k, const float* v, int64_t n, int64_t hd, float scale,
                float* scores, float* out) {
    attend_any(q, k, v, n, hd, scale, scores, out);
}
void attend_f16(const float* q, const uint16_t* k, const uint16_t* v, int64_t n, int64_t hd, float scale,
                float* scores, float* out) {
    attend_any(q, k, v, n, hd, scale, scores, out);
}

// ---- roof probes -------------------------------------------------------------------------

// Four far-apart sub-ranges read in lockstep: one sequential stream per core measured only
// ~11 GB/s on the Zen 3 host against ~15 for four, and the decode kernels read that way too
// (kGemvStreams), so this is the machine's roofline, not one stream's.
uint64_t sum_bytes(const uint8_t* p, size_t bytes) {
    const size_t part = (bytes / 4) & ~size_t(63);
    const uint8_t* s[4] = {p, p + part, p + 2 * part, p + 3 * part};
    __m256i a[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
    for (size_t i = 0; i < part; i += 64)
        for (int j = 0; j < 4; ++j)
            a[j] = _mm256_add_epi64(a[j], _mm256_add_epi64(load256(s[j] + i), load256(s[j] + i + 32)));
    alignas(32) uint64_t lanes[4];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), _mm256_add_epi64(_mm256_add_epi64(a[0], a[1]), _mm256_add_epi64(a[2], a[3])));
    uint64_t sum = lanes[0] + lanes[1] + lanes[2] + lanes[3];
    for (size_t i = 4 * part; i < bytes; ++i) sum += p[i];
    return sum;
}

// Six independent vpmaddubsw + vpaddw chains (this set's inner pair). One pass = 6 x 32
// multiply-adds.
__attribute__((noinline)) int64_t maddubs_ymm(int64_t iterations) {
    const int64_t done = iterations * 6 * 32;
    __asm__ volatile(
        "vpxor %%xmm0, %%xmm0, %%xmm0\n vpxor %%xmm1, %%xmm1, %%xmm1\n"
        "vpxor %%xmm10, %%xmm10, %%xmm10\n vpxor %%xmm11, %%xmm11, %%xmm11\n vpxor %%xmm12, %%xmm12, %%xmm12\n"
        "vpxor %%xmm13, %%xmm13, %%xmm13\n vpxor %%xmm14, %%xmm14, %%xmm14\n vpxor %%xmm15, %%xmm15, %%xmm15\n"
        "1:\n"
        "vpmaddubsw %%ymm0, %%ymm1, %%ymm2\n vpaddw %%ymm2, %%ymm10, %%ymm10\n"
        "vpmaddubsw %%ymm0, %%ymm1, %%ymm3\n vpaddw %%ymm3, %%ymm11, %%ymm11\n"
        "vpmaddubsw %%ymm0, %%ymm1, %%ymm4\n vpaddw %%ymm4, %%ymm12, %%ymm12\n"
        "vpmaddubsw %%ymm0, %%ymm1, %%ymm5\n vpaddw %%ymm5, %%ymm13, %%ymm13\n"
        "vpmaddubsw %%ymm0, %%ymm1, %%ymm6\n vpaddw %%ymm6, %%ymm14, %%ymm14\n"
        "vpmaddubsw %%ymm0, %%ymm1, %%ymm7\n vpaddw %%ymm7, %%ymm15, %%ymm15\n"
        "dec %0\n jnz 1b\n vzeroupper\n"
        : "+r"(iterations)
        :
        : "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm10", "xmm11", "xmm12",
          "xmm13", "xmm14", "xmm15");
    return done;
}
const RoofProbe kProbes[] = {{"maddubs_ymm", maddubs_ymm}};

const KernelSet kAvx2 = {
    "avx2",      quantize_acts, ternary_gemm, ternary_dot_i32, f32_gemm,   f16_gemm,   dot_f32,
    dot_f16_f32, axpy_f32,      axpy_f16_f32, rmsnorm,         attend_f32, attend_f16, avx2_int8_gemm,
    TERN_ISA,  // engine/CMakeLists.txt: the extensions this file is compiled with
    "maddubs_ymm", "maddubs_ymm", kProbes, 1, sum_bytes,
};

}  // namespace

const KernelSet* avx2_kernels() { return &kAvx2; }

}  // namespace tern
