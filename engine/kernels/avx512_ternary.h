#pragma once
// The AVX-512 ternary products: the integer core, decode (GEMV, four row streams) and the
// batched GEMM. Included by avx512_impl.h only; internal linkage like the rest of the set.
#include <algorithm>
#include <new>
#include <vector>

#include "engine/kernels/avx512_common.h"
#include "engine/kernels/scalar_common.h"
#include "engine/kernels/unpack_rows.h"

namespace tern {

namespace {

template <bool kVnni>
int32_t ternary_dot_i32(const uint8_t* codes, const int8_t* q, int64_t k) {
    const int64_t nb = k / 128;
    __m512i acc = _mm512_setzero_si512();
    __m512i sq = _mm512_setzero_si512();
    const __m512i ones8 = _mm512_set1_epi8(1);
    int64_t b = 0;
    for (; b + 2 <= nb; b += 2) {
        __m512i qv[4];
        load_q_pair(q + b * 128, qv);
        acc = block_pair_cq<kVnni>(acc, codes + b * 32, qv);
        for (int j = 0; j < 4; ++j) sq = dot_add<kVnni>(sq, ones8, qv[j]);
    }
    __m256i acc256 = _mm256_setzero_si256(), sq256 = _mm256_setzero_si256();
    if (b < nb) {
        acc256 = block_cq<kVnni>(acc256, codes + b * 32, q + b * 128);
        for (int j = 0; j < 4; ++j) sq256 = dot_add<kVnni>(sq256, _mm256_set1_epi8(1), load256(q + b * 128 + 32 * j));
    }
    return hsum_i32(acc) - hsum_i32(sq) + hsum_i32(acc256) - hsum_i32(sq256);
}

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


// Decode: R rows (any indices) in lockstep, sharing the activation registers; int32
// accumulation per step (one 64-byte line of each row per block pair).
template <bool kVnni, int R>
void gemv_rows(const TernaryMatrix& w, const int64_t* rows, const int8_t* q, const int32_t* gsum, float dequant,
               float* y) {
    const int64_t ng = w.groups_per_row(), bpg = w.group_size / 128;
    const uint8_t* base[R];
    for (int r = 0; r < R; ++r) base[r] = w.row_codes(rows[r]);
    float sum[R] = {};
    for (int64_t g = 0; g < ng; ++g) {
        __m512i acc[R];
        __m256i acc256[R];
        for (int r = 0; r < R; ++r) acc[r] = _mm512_setzero_si512(), acc256[r] = _mm256_setzero_si256();
        const int64_t b_end = (g + 1) * bpg;
        int64_t b = g * bpg;
        for (; b + 2 <= b_end; b += 2) {
            __m512i qv[4];
            load_q_pair(q + b * 128, qv);
#pragma GCC unroll 4
            for (int r = 0; r < R; ++r) {
                const uint8_t* p = base[r] + b * 32;
                _mm_prefetch(reinterpret_cast<const char*>(p + kPrefetchBytes), _MM_HINT_T1);
                acc[r] = block_pair_cq<kVnni>(acc[r], p, qv);
            }
        }
        if (b < b_end)
            for (int r = 0; r < R; ++r) acc256[r] = block_cq<kVnni>(acc256[r], base[r] + b * 32, q + b * 128);
        for (int r = 0; r < R; ++r) {
            const int32_t a = hsum_i32(acc[r]) + hsum_i32(acc256[r]) - gsum[g];
            float part = static_cast<float>(a) * w.scales[rows[r] * ng + g];
            TERN_NO_CONTRACT(part);
            sum[r] += part;
        }
    }
    for (int r = 0; r < R; ++r) y[rows[r]] = sum[r] * dequant;
}

// Batched: unpacked codes (one byte per weight, natural order), R x T int32 register tile,
// 64 weights per step. Without VNNI the int16 path flushes every 32 steps.
template <bool kVnni, int R, int T>
void gemm_micro(const uint8_t* unpacked, int64_t k, const TernaryMatrix& w, int64_t n, const QuantizedActs& x,
                int64_t t, const int32_t* gsum, float* y, int64_t ldy) {
    const int64_t gs = w.group_size;
    const int8_t* qrow[T];
    for (int j = 0; j < T; ++j) qrow[j] = x.row(t + j);
    auto group_isums = [&](int64_t g, int32_t* isum) {
        __m512i acc[R * T];
        for (int i = 0; i < R * T; ++i) acc[i] = _mm512_setzero_si512();
        for (int64_t k0 = g * gs; k0 < (g + 1) * gs; k0 += 32 * 64) {
            const int64_t k1 = std::min((g + 1) * gs, k0 + 32 * 64);
            if constexpr (kVnni) {
                for (int64_t kk = k0; kk < k1; kk += 64) {
                    __m512i c[R];
                    for (int r = 0; r < R; ++r) c[r] = load512(unpacked + r * k + kk);
                    for (int j = 0; j < T; ++j) {
                        const __m512i qv = load512(qrow[j] + kk);
                        for (int r = 0; r < R; ++r) acc[r * T + j] = _mm512_dpbusd_epi32(acc[r * T + j], c[r], qv);
                    }
                }
            } else {
                __m512i acc16[R * T];
                for (int i = 0; i < R * T; ++i) acc16[i] = _mm512_setzero_si512();
                for (int64_t kk = k0; kk < k1; kk += 64) {
                    __m512i c[R];
                    for (int r = 0; r < R; ++r) c[r] = load512(unpacked + r * k + kk);
                    for (int j = 0; j < T; ++j) {
                        const __m512i qv = load512(qrow[j] + kk);
                        for (int r = 0; r < R; ++r)
                            acc16[r * T + j] = _mm512_add_epi16(acc16[r * T + j], _mm512_maddubs_epi16(c[r], qv));
                    }
                }
                for (int i = 0; i < R * T; ++i)
                    acc[i] = _mm512_add_epi32(acc[i], _mm512_madd_epi16(acc16[i], _mm512_set1_epi16(1)));
            }
        }
        for (int i = 0; i < R * T; ++i) isum[i] = hsum_i32(acc[i]);
    };
    scalar_detail::tile_over_groups<R, T>(w.groups_per_row(), gsum, t, w.scales.data(), n, x.dequant.data(), y, ldy,
                                          group_isums);
}

template <bool kVnni, int R>
void gemm_row_tile(const uint8_t* unpacked, const TernaryMatrix& w, int64_t n, const QuantizedActs& x,
                   int64_t t0, int64_t t1, const int32_t* gsum, float* y, int64_t ldy) {
    int64_t t = t0;
    for (; t + 3 <= t1; t += 3) gemm_micro<kVnni, R, 3>(unpacked, w.cols, w, n, x, t, gsum, y, ldy);
    for (; t < t1; ++t) gemm_micro<kVnni, R, 1>(unpacked, w.cols, w, n, x, t, gsum, y, ldy);
}

// ---- batched, codes split in registers (VNNI) ---------------------------------------------
// For a few tokens (batched decode) storing unpacked codes and loading them back costs about
// as much as the multiplies. Here each 64-byte line of codes (one block pair) is split into its
// four 2-bit planes in registers and multiplied at once; the activations are first laid out in
// the same block-pair order (permute_pairs), so every operand is one plain load. An R x T tile
// of int32 accumulators; 16 of them are combined by one transposing reduction.

// Groups must hold whole block pairs (an even number of 128-blocks).
inline bool pairs_fit(const TernaryMatrix& w) { return (w.group_size / 128) % 2 == 0; }

// Tokens [t0, t1) in block-pair order: for pair p, plane s: q[256p + 32s .. +32] then
// q[256p + 128 + 32s .. +32], i.e. what plane s of the pair's code line multiplies.
void permute_pairs(const QuantizedActs& x, int64_t t0, int64_t t1, int8_t* out) {
    const int64_t k = x.cols;
    for (int64_t t = t0; t < t1; ++t) {
        const int8_t* src = x.row(t);
        int8_t* dst = out + (t - t0) * k;
        for (int64_t p = 0; p < k / 256; ++p)
            for (int s = 0; s < 4; ++s)
                _mm512_storeu_si512(dst + p * 256 + s * 64, join256(src + p * 256 + s * 32, src + p * 256 + 128 + s * 32));
    }
}

// Sixteen int32 vectors -> one vector of their sixteen horizontal sums, lane i = sum of v[i].
inline __m512i reduce16(const __m512i* v) {
    __m512i a[8], b[4], c[2];
    for (int i = 0; i < 8; ++i)
        a[i] = _mm512_add_epi32(_mm512_unpacklo_epi32(v[2 * i], v[2 * i + 1]), _mm512_unpackhi_epi32(v[2 * i], v[2 * i + 1]));
    for (int i = 0; i < 4; ++i)
        b[i] = _mm512_add_epi32(_mm512_unpacklo_epi64(a[2 * i], a[2 * i + 1]), _mm512_unpackhi_epi64(a[2 * i], a[2 * i + 1]));
    for (int i = 0; i < 2; ++i)
        c[i] = _mm512_add_epi32(_mm512_shuffle_i32x4(b[2 * i], b[2 * i + 1], _MM_SHUFFLE(2, 0, 2, 0)),
                                _mm512_shuffle_i32x4(b[2 * i], b[2 * i + 1], _MM_SHUFFLE(3, 1, 3, 1)));
    return _mm512_add_epi32(_mm512_shuffle_i32x4(c[0], c[1], _MM_SHUFFLE(2, 0, 2, 0)),
                            _mm512_shuffle_i32x4(c[0], c[1], _MM_SHUFFLE(3, 1, 3, 1)));
}

// The 4 x 4 tile's per-lane terms and its store, in vectors (lane i = row i / 4, token i % 4):
// the values and float steps of scalar_detail's tile_lane_terms and store_tile_lanes, without
// their 48 scalar loads and stores per tile (+4-5 % for the batched-decode GEMM at K = 2048).
inline __m512i lane_group_sums4(const int32_t* gsum, int64_t ng, int64_t g, int64_t t) {
    const __m128i g4 = ng == 1 ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(gsum + t))
                               : _mm_setr_epi32(gsum[t * ng + g], gsum[(t + 1) * ng + g], gsum[(t + 2) * ng + g],
                                                gsum[(t + 3) * ng + g]);
    return _mm512_broadcast_i32x4(g4);
}
inline __m512 lane_scales4(const float* scales, int64_t ng, int64_t g, int64_t n, int64_t stride) {
    const __m128 s4 = _mm_setr_ps(scales[n * ng + g], scales[(n + stride) * ng + g], scales[(n + 2 * stride) * ng + g],
                                  scales[(n + 3 * stride) * ng + g]);
    return _mm512_permutexvar_ps(_mm512_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3),
                                 _mm512_castps128_ps512(s4));
}
inline void store_lanes4(__m512 sum16, const float* dequant, int64_t t, int64_t n, float* y, int64_t ldy,
                         int64_t stride) {
    const __m512 v = _mm512_mul_ps(sum16, _mm512_broadcast_f32x4(_mm_loadu_ps(dequant + t)));
    if (stride == 1) {  // token-major, so that each token's four rows are one store
        const __m512 tm =
            _mm512_permutexvar_ps(_mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15), v);
        _mm_storeu_ps(y + t * ldy + n, _mm512_castps512_ps128(tm));
        _mm_storeu_ps(y + (t + 1) * ldy + n, _mm512_extractf32x4_ps(tm, 1));
        _mm_storeu_ps(y + (t + 2) * ldy + n, _mm512_extractf32x4_ps(tm, 2));
        _mm_storeu_ps(y + (t + 3) * ldy + n, _mm512_extractf32x4_ps(tm, 3));
        return;
    }
    alignas(64) float out[16];
    _mm512_store_ps(out, v);
    for (int i = 0; i < 16; ++i) y[(t + i % 4) * ldy + n + (i / 4) * stride] = out[i];
}

// Plane S of R code lines times T tokens' activations (qp: token rows k bytes apart).
template <int S, int R, int T>
inline void pair_plane(const __m512i* raw, const int8_t* qp, int64_t k, __m512i* acc) {
    const __m512i m3 = _mm512_set1_epi8(3);
    __m512i u[R];
    for (int r = 0; r < R; ++r) u[r] = _mm512_and_si512(S == 0 ? raw[r] : _mm512_srli_epi16(raw[r], 2 * S), m3);
    for (int j = 0; j < T; ++j) {
        const __m512i qv = load512(qp + j * k + S * 64);
        for (int r = 0; r < R; ++r) acc[r * T + j] = _mm512_dpbusd_epi32(acc[r * T + j], u[r], qv);
    }
}

// Rows n + r * stride (r < R) x tokens [t, t+T); qp = token t's row of the permuted activations.
// Each row's line `ahead` bytes further on is prefetched into L2 as the row is read.
template <int R, int T>
void pair_tile(const TernaryMatrix& w, int64_t n, int64_t stride, int64_t ahead, const int8_t* qp, int64_t t,
               const QuantizedActs& x, const int32_t* gsum, float* y, int64_t ldy) {
    const int64_t k = w.cols, ng = w.groups_per_row(), ppg = w.group_size / 256, rb = w.row_bytes() * stride;
    const uint8_t* codes = w.row_codes(n);
    float sum[R][T] = {};
    __m512 sum16 = _mm512_setzero_ps();
    for (int64_t g = 0; g < ng; ++g) {
        __m512i acc[R * T];
        for (int i = 0; i < R * T; ++i) acc[i] = _mm512_setzero_si512();
        for (int64_t p = g * ppg; p < (g + 1) * ppg; ++p) {
            __m512i raw[R];
            for (int r = 0; r < R; ++r) {
                raw[r] = load512(codes + r * rb + p * 64);
                _mm_prefetch(reinterpret_cast<const char*>(codes + r * rb + p * 64 + ahead), _MM_HINT_T1);
            }
            const int8_t* q = qp + p * 256;
            pair_plane<0, R, T>(raw, q, k, acc);
            pair_plane<1, R, T>(raw, q, k, acc);
            pair_plane<2, R, T>(raw, q, k, acc);
            pair_plane<3, R, T>(raw, q, k, acc);
        }
        if constexpr (R == 4 && T == 4) {
            // Lane i = (row i / T, token i % T).
            const __m512i a = _mm512_sub_epi32(reduce16(acc), lane_group_sums4(gsum, ng, g, t));
            __m512 part = _mm512_mul_ps(_mm512_cvtepi32_ps(a), lane_scales4(w.scales.data(), ng, g, n, stride));
            TERN_NO_CONTRACT(part);
            sum16 = _mm512_add_ps(sum16, part);
        } else {
            scalar_detail::add_group_parts<R, T>([&](int r, int j) { return hsum_i32(acc[r * T + j]); }, gsum, ng, g,
                                                 t, w.scales.data(), n, sum, stride);
        }
    }
    if constexpr (R == 4 && T == 4) {
        store_lanes4(sum16, x.dequant.data(), t, n, y, ldy, stride);
    } else {
        scalar_detail::store_tile<R, T>(sum, x.dequant.data(), t, n, y, ldy, stride);
    }
}

constexpr int kPairTokens = 4;  // T of the main tile (R = 4 rows): 16 accumulators
constexpr int64_t kRowBlockBytes = 131072;  // pair_row_blocks; 64-512 KiB measured the same
constexpr int64_t kBlockOrderTokens = 16;    // token blocks from this size take pair_row_blocks

// Rows [n, n+R) x the last `rest` (< kPairTokens) tokens, from token t (q: its activations).
template <int R>
void pair_tile_rest(int64_t rest, const TernaryMatrix& w, int64_t n, int64_t ahead, const int8_t* q, int64_t t,
                    const QuantizedActs& x, const int32_t* gsum, float* y, int64_t ldy) {
    switch (rest) {
        case 3: pair_tile<R, 3>(w, n, 1, ahead, q, t, x, gsum, y, ldy); break;
        case 2: pair_tile<R, 2>(w, n, 1, ahead, q, t, x, gsum, y, ldy); break;
        case 1: pair_tile<R, 1>(w, n, 1, ahead, q, t, x, gsum, y, ldy); break;
        default: break;
    }
}

// Rows [n, n+R) x tokens [t0, t1) in tiles of kPairTokens; the next row tile streams into L2
// while this one is multiplied. (Products of 2-4 tokens take stream_tiles below, which needs a
// longer distance; here they only pass their few leftover rows.)
template <int R>
void pair_rows(const TernaryMatrix& w, int64_t n, const int8_t* qp, int64_t t0, int64_t t1, const QuantizedActs& x,
               const int32_t* gsum, float* y, int64_t ldy) {
    const int64_t k = w.cols, ahead = R * w.row_bytes();
    int64_t t = t0;
    for (; t + kPairTokens <= t1; t += kPairTokens)
        pair_tile<R, kPairTokens>(w, n, 1, ahead, qp + (t - t0) * k, t, x, gsum, y, ldy);
    pair_tile_rest<R>(t1 - t, w, n, ahead, qp + (t - t0) * k, t, x, gsum, y, ldy);
}

// Prefill order: row blocks whose codes (kRowBlockBytes) stay in L2 while each 4-token tile of
// [t0, t1) sweeps them. A tile's activations then stay in L1 and L2 serves only the codes, a
// quarter of the bytes it served with the activations in pair_rows' order (M = 64: +10 % in a
// harness, pp512 +4 %). Batched decode keeps pair_rows: with a few token tiles the first sweep
// streams the codes from DRAM, and the prefetch one row tile ahead came too late (c=8 -6 to
// -9 %). Covers the whole 4-row tiles of [n0, n1) and returns where they end.
template <int = 0>  // a template: emitted only in the VNNI file
int64_t pair_row_blocks(const TernaryMatrix& w, int64_t n0, int64_t n1, const int8_t* qp, int64_t t0, int64_t t1,
                        const QuantizedActs& x, const int32_t* gsum, float* y, int64_t ldy) {
    const int64_t k = w.cols, ahead = 4 * w.row_bytes();
    const int64_t rows_per_block = std::max<int64_t>(4, (kRowBlockBytes / w.row_bytes()) / 4 * 4);
    const int64_t end = n0 + (n1 - n0) / 4 * 4;
    for (int64_t b = n0; b < end; b += rows_per_block) {
        const int64_t b1 = std::min(end, b + rows_per_block);
        int64_t t = t0;
        for (; t + kPairTokens <= t1; t += kPairTokens)
            for (int64_t n = b; n < b1; n += 4)
                pair_tile<4, kPairTokens>(w, n, 1, ahead, qp + (t - t0) * k, t, x, gsum, y, ldy);
        if (t < t1)
            for (int64_t n = b; n < b1; n += 4)
                pair_tile_rest<4>(t1 - t, w, n, ahead, qp + (t - t0) * k, t, x, gsum, y, ldy);
    }
    return end;
}

// Every token of x in block-pair order, laid out once per quantization (x.version) and thread:
// the pool calls the GEMM once per chunk of rows (about 17 per matrix and thread), which used
// to redo this layout for all tokens every time.
const int8_t* pair_order(const QuantizedActs& x) {
    struct Cache {
        uint64_t version = 0;
        int64_t capacity = 0;
        AlignedPtr<int8_t> q;
    };
    thread_local Cache cache;
    if (cache.version != x.version || !cache.q) {
        const int64_t bytes = std::max<int64_t>(x.rows * x.cols, 64);
        if (cache.capacity < bytes) {
            cache.capacity = 0;  // stays 0 if the allocation below fails
            cache.q = make_aligned<int8_t>(static_cast<size_t>(bytes));
            if (!cache.q) throw std::bad_alloc();
            cache.capacity = bytes;
        }
        permute_pairs(x, 0, x.rows, cache.q.get());
        cache.version = x.version;
    }
    return cache.q.get();
}

// ---- decode GEMV, VNNI: planes masked in place ---------------------------------------------
// Plane s of a code byte is kept where it lies: c & (3 << 2s) = 4^s * code (at most 128, a
// valid unsigned byte), so vpdpbusd sums 4^s * code * q into an accumulator of that plane, and
// at the group end an arithmetic shift by 2s takes the factor off (exact: every lane is a
// multiple of 4^s; |lane| <= 256 * group_size, far inside int32). Per 64-byte line that is four
// ANDs and four vpdpbusd, three shifts fewer than splitting the planes, and the activations come
// in block-pair order (pair_order), one plain load per plane instead of two loads and an insert.
// A thread streams ~18 % more lines per second from L2 (Zen 4), which counts when decode is not
// purely waiting on DRAM.

struct PlaneMasks {
    __m512i m0 = _mm512_set1_epi8(0x03), m1 = _mm512_set1_epi8(0x0C), m2 = _mm512_set1_epi8(0x30),
            m3 = _mm512_set1_epi8(static_cast<char>(0xC0));
};

// One line (block pair) of one row into its four plane accumulators.
__attribute__((always_inline)) inline void masked_line(const uint8_t* line, const PlaneMasks& m, __m512i q0,
                                                       __m512i q1, __m512i q2, __m512i q3, __m512i& a0, __m512i& a1,
                                                       __m512i& a2, __m512i& a3) {
    __m512i raw = load512(line);
    __asm__("" : "+v"(raw));  // one load, four uses (GCC would fold a load into every AND)
    a0 = _mm512_dpbusd_epi32(a0, _mm512_and_si512(raw, m.m0), q0);
    a1 = _mm512_dpbusd_epi32(a1, _mm512_and_si512(raw, m.m1), q1);
    a2 = _mm512_dpbusd_epi32(a2, _mm512_and_si512(raw, m.m2), q2);
    a3 = _mm512_dpbusd_epi32(a3, _mm512_and_si512(raw, m.m3), q3);
}

inline int32_t unmasked_sum(__m512i a0, __m512i a1, __m512i a2, __m512i a3) {
    return hsum_i32(_mm512_add_epi32(_mm512_add_epi32(a0, _mm512_srai_epi32(a1, 2)),
                                     _mm512_add_epi32(_mm512_srai_epi32(a2, 4), _mm512_srai_epi32(a3, 6))));
}

// Four rows (any indices) in lockstep, as gemv_rows; qp: the token in block-pair order. Named
// accumulators and register pins: with arrays GCC 12 copied and spilled them every line.
template <int = 0>  // a template: emitted only in the VNNI file
__attribute__((noinline)) void gemv4_masked(const TernaryMatrix& w, const int64_t* rows, const int8_t* qp,
                                            const int32_t* gsum, float dequant, float* y) {
    const int64_t ng = w.groups_per_row(), ppg = w.group_size / 256;
    const uint8_t *b0 = w.row_codes(rows[0]), *b1 = w.row_codes(rows[1]), *b2 = w.row_codes(rows[2]),
                  *b3 = w.row_codes(rows[3]);
    const PlaneMasks m;
    float sum[4] = {};
    for (int64_t g = 0; g < ng; ++g) {
        __m512i a00 = _mm512_setzero_si512(), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00,
                a13 = a00, a20 = a00, a21 = a00, a22 = a00, a23 = a00, a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int64_t p = g * ppg; p < (g + 1) * ppg; ++p) {
            __m512i q0 = load512(qp + p * 256), q1 = load512(qp + p * 256 + 64), q2 = load512(qp + p * 256 + 128),
                    q3 = load512(qp + p * 256 + 192);
            __asm__("" : "+v"(q0), "+v"(q1), "+v"(q2), "+v"(q3));
            const int64_t o = p * 64;
            for (const uint8_t* b : {b0, b1, b2, b3})
                _mm_prefetch(reinterpret_cast<const char*>(b + o + kPrefetchBytes), _MM_HINT_T1);
            masked_line(b0 + o, m, q0, q1, q2, q3, a00, a01, a02, a03);
            masked_line(b1 + o, m, q0, q1, q2, q3, a10, a11, a12, a13);
            masked_line(b2 + o, m, q0, q1, q2, q3, a20, a21, a22, a23);
            masked_line(b3 + o, m, q0, q1, q2, q3, a30, a31, a32, a33);
            __asm__("" : "+v"(a00), "+v"(a01), "+v"(a02), "+v"(a03), "+v"(a10), "+v"(a11), "+v"(a12), "+v"(a13));
            __asm__("" : "+v"(a20), "+v"(a21), "+v"(a22), "+v"(a23), "+v"(a30), "+v"(a31), "+v"(a32), "+v"(a33));
        }
        const int32_t a[4] = {unmasked_sum(a00, a01, a02, a03), unmasked_sum(a10, a11, a12, a13),
                              unmasked_sum(a20, a21, a22, a23), unmasked_sum(a30, a31, a32, a33)};
        for (int r = 0; r < 4; ++r) {  // the float steps of gemv_rows (and scalar), in order
            float part = static_cast<float>(a[r] - gsum[g]) * w.scales[rows[r] * ng + g];
            TERN_NO_CONTRACT(part);
            sum[r] += part;
        }
    }
    for (int r = 0; r < 4; ++r) y[rows[r]] = sum[r] * dequant;
}

// A few tokens (2-4: batched decode of few streams): memory-bound like decode, so the rows are
// taken as four far-apart streams (kGemvStreams) with the decode's prefetch distance, each tile
// one row of every stream x all tokens.
template <int T>
void stream_tiles(const TernaryMatrix& w, int64_t n0, int64_t n1, const int8_t* qp, const QuantizedActs& x,
                  const int32_t* gsum, float* y, int64_t ldy) {
    const int64_t part = (n1 - n0) / kGemvStreams;
    for (int64_t i = 0; i < part; ++i)
        pair_tile<kGemvStreams, T>(w, n0 + i, part, kPrefetchBytes, qp, 0, x, gsum, y, ldy);
    const int64_t n = n0 + kGemvStreams * part;
    switch (n1 - n) {  // the rows left over, as one block
        case 3: pair_rows<3>(w, n, qp, 0, T, x, gsum, y, ldy); break;
        case 2: pair_rows<2>(w, n, qp, 0, T, x, gsum, y, ldy); break;
        case 1: pair_rows<1>(w, n, qp, 0, T, x, gsum, y, ldy); break;
        default: break;
    }
}

template <int = 0>  // a template: emitted only in the VNNI file
void ternary_gemm_pairs(const TernaryMatrix& w, int64_t n0, int64_t n1, const QuantizedActs& x,
                        const int32_t* gsum, float* y, int64_t ldy) {
    const int64_t k = w.cols, m = x.rows;
    const int8_t* all = pair_order(x);
    switch (m) {
        case 2: return stream_tiles<2>(w, n0, n1, all, x, gsum, y, ldy);
        case 3: return stream_tiles<3>(w, n0, n1, all, x, gsum, y, ldy);
        case 4: return stream_tiles<4>(w, n0, n1, all, x, gsum, y, ldy);
        default: break;
    }
    // Token blocks whose activations stay in L2 (~256 KiB) while the row tiles sweep.
    const int64_t tb = std::max<int64_t>(kPairTokens, (262144 / k) / kPairTokens * kPairTokens);
    for (int64_t t0 = 0; t0 < m; t0 += tb) {
        const int64_t t1 = std::min(m, t0 + tb);
        const int8_t* qp = all + t0 * k;
        int64_t n = n0;
        if (t1 - t0 >= kBlockOrderTokens) n = pair_row_blocks(w, n0, n1, qp, t0, t1, x, gsum, y, ldy);
        for (; n + 4 <= n1; n += 4) pair_rows<4>(w, n, qp, t0, t1, x, gsum, y, ldy);
        switch (n1 - n) {
            case 3: pair_rows<3>(w, n, qp, t0, t1, x, gsum, y, ldy); break;
            case 2: pair_rows<2>(w, n, qp, t0, t1, x, gsum, y, ldy); break;
            case 1: pair_rows<1>(w, n, qp, t0, t1, x, gsum, y, ldy); break;
            default: break;
        }
    }
}

template <bool kVnni>
void ternary_gemm(const TernaryMatrix& w, int64_t n0, int64_t n1, const QuantizedActs& x, float* y, int64_t ldy) {
    thread_local std::vector<int32_t> gsum;
    group_sums(x, w.group_size, gsum);
    const int64_t m = x.rows;
    if constexpr (kVnni) {
        if (m == 1 && pairs_fit(w)) {
            const int8_t* qp = pair_order(x);
            const int64_t part = (n1 - n0) / 4;
            for (int64_t i = 0; i < part; ++i) {
                const int64_t rows[4] = {n0 + i, n0 + part + i, n0 + 2 * part + i, n0 + 3 * part + i};
                gemv4_masked(w, rows, qp, gsum.data(), x.dequant[0], y);
            }
            for (int64_t n = n0 + 4 * part; n < n1; ++n) gemv_rows<kVnni, 1>(w, &n, x.row(0), gsum.data(), x.dequant[0], y);
            return;
        }
    }
    if (m == 1) {
        const int64_t part = (n1 - n0) / kGemvStreams;
        for (int64_t i = 0; i < part; ++i) {
            int64_t rows[kGemvStreams];
            for (int s = 0; s < kGemvStreams; ++s) rows[s] = n0 + s * part + i;
            gemv_rows<kVnni, kGemvStreams>(w, rows, x.row(0), gsum.data(), x.dequant[0], y);
        }
        for (int64_t n = n0 + kGemvStreams * part; n < n1; ++n)
            gemv_rows<kVnni, 1>(w, &n, x.row(0), gsum.data(), x.dequant[0], y);
        return;
    }
    if constexpr (kVnni) {
        if (pairs_fit(w)) return ternary_gemm_pairs(w, n0, n1, x, gsum.data(), y, ldy);
    }
    const int64_t k = w.cols;
    thread_local AlignedPtr<uint8_t> unpacked;
    thread_local int64_t unpacked_cap = 0;
    if (unpacked_cap < 4 * k) {
        unpacked = make_aligned<uint8_t>(static_cast<size_t>(4 * k));
        unpacked_cap = 4 * k;
    }
    const int64_t tb = std::max<int64_t>(3, 262144 / k);
    for (int64_t t0 = 0; t0 < m; t0 += tb) {
        const int64_t t1 = std::min(m, t0 + tb);
        for (int64_t n = n0; n < n1; n += 4) {
            const int rows = static_cast<int>(std::min<int64_t>(4, n1 - n));
            unpack_rows(w, n, rows, unpacked.get());
            switch (rows) {
                case 4: gemm_row_tile<kVnni, 4>(unpacked.get(), w, n, x, t0, t1, gsum.data(), y, ldy); break;
                case 3: gemm_row_tile<kVnni, 3>(unpacked.get(), w, n, x, t0, t1, gsum.data(), y, ldy); break;
                case 2: gemm_row_tile<kVnni, 2>(unpacked.get(), w, n, x, t0, t1, gsum.data(), y, ldy); break;
                default: gemm_row_tile<kVnni, 1>(unpacked.get(), w, n, x, t0, t1, gsum.data(), y, ldy); break;
            }
        }
    }
}

}  // namespace

}  // namespace tern
