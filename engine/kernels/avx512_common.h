#pragma once
// Shared pieces of the AVX-512 kernel set (avx512_impl.h says how the set is built): loads,
// horizontal sums, the code x activation multiply-add with or without VNNI, and one packed
// block (pair) times its activations. Internal linkage: each ISA file gets its own copy.
// GCC 12's AVX-512 headers build results from _mm512_undefined_*(), which its own
// -Wuninitialized flags at every use (GCC bug 105593); the warning is about the header only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#else
#include <immintrin.h>
#endif

#include <cstdint>

#include "engine/kernels/ternary_matrix.h"

namespace tern {

namespace {

inline __m512i load512(const void* p) { return _mm512_loadu_si512(p); }
inline __m256i load256(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }
inline __m512i join256(const void* lo, const void* hi) {
    return _mm512_inserti64x4(_mm512_castsi256_si512(load256(lo)), load256(hi), 1);
}

inline int32_t hsum_i32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(s);
}
inline int32_t hsum_i32(__m512i v) {
    return hsum_i32(_mm256_add_epi32(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1)));
}

// Product of unsigned codes and signed q, accumulated into int32 lanes (4 products per lane).
template <bool kVnni>
inline __m512i dot_add(__m512i acc, __m512i codes, __m512i q) {
    if constexpr (kVnni) {
        return _mm512_dpbusd_epi32(acc, codes, q);
    } else {
        return _mm512_add_epi32(acc, _mm512_madd_epi16(_mm512_maddubs_epi16(codes, q), _mm512_set1_epi16(1)));
    }
}
template <bool kVnni>
inline __m256i dot_add(__m256i acc, __m256i codes, __m256i q) {
    if constexpr (kVnni) {
        return _mm256_dpbusd_epi32(acc, codes, q);
    } else {
        return _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(codes, q), _mm256_set1_epi16(1)));
    }
}

// sum_k c*q over one packed block pair (512-bit) or one block (256-bit), into int32 lanes.
template <bool kVnni>
inline __m512i block_pair_cq(__m512i acc, const uint8_t* codes, const __m512i q[4]) {
    const __m512i m3 = _mm512_set1_epi8(3);
    const __m512i c = load512(codes);
    acc = dot_add<kVnni>(acc, _mm512_and_si512(c, m3), q[0]);
    acc = dot_add<kVnni>(acc, _mm512_and_si512(_mm512_srli_epi16(c, 2), m3), q[1]);
    acc = dot_add<kVnni>(acc, _mm512_and_si512(_mm512_srli_epi16(c, 4), m3), q[2]);
    return dot_add<kVnni>(acc, _mm512_and_si512(_mm512_srli_epi16(c, 6), m3), q[3]);
}
template <bool kVnni>
inline __m256i block_cq(__m256i acc, const uint8_t* codes, const int8_t* q) {
    const __m256i m3 = _mm256_set1_epi8(3);
    const __m256i c = load256(codes);
    acc = dot_add<kVnni>(acc, _mm256_and_si256(c, m3), load256(q));
    acc = dot_add<kVnni>(acc, _mm256_and_si256(_mm256_srli_epi16(c, 2), m3), load256(q + 32));
    acc = dot_add<kVnni>(acc, _mm256_and_si256(_mm256_srli_epi16(c, 4), m3), load256(q + 64));
    return dot_add<kVnni>(acc, _mm256_and_si256(_mm256_srli_epi16(c, 6), m3), load256(q + 96));
}
// q of blocks b and b+1 arranged like a block-pair code register: sub-lane j of both blocks.
inline void load_q_pair(const int8_t* qb, __m512i q[4]) {
    for (int j = 0; j < 4; ++j) q[j] = join256(qb + 32 * j, qb + 128 + 32 * j);
}

// Decode prefetch distance and stream count: kGemvStreams as in avx2.cpp (it says why four
// far-apart row streams per thread beat one: more DRAM requests in flight). The distance is
// shorter than AVX2's 8 KiB: tg128 on the Zen 4 host, five interleaved rounds, median 63.2
// tok/s at 3 KiB vs 59.2 at 8 KiB (2 KiB: 62.5; 8 streams instead of 4: 10 % slower).
// Decode prefetches go to L2 (_MM_HINT_T1), not L1: the GEMV from DRAM +11-20 % (10 alternating
// rounds), tg128 78.7 vs 73.8 tok/s (12 rounds, won 10/12). Likely why: a prefetch into L1 holds
// one of the core's few L1 miss buffers until its line arrives, which caps the lines in flight;
// L2 tracks more misses, and it serves the loads that follow.
constexpr int64_t kPrefetchBytes = 3072;
constexpr int kGemvStreams = 4;

}  // namespace

}  // namespace tern
