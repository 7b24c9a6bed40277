// AVX2 products of int8 rows (the re-quantized output head) with int8 activations.
// Weights are in [-127, 127] and activations in [-128, 127]: |a| fits an unsigned byte and
// each maddubs pair sum is at most 2 * 128 * 127 < 32768, so nothing saturates.
#include <immintrin.h>

#include <vector>

#include "engine/kernels/int8_rows.h"
#include "engine/kernels/int8_tiles.h"

namespace tern {

namespace {

inline int32_t hsum_i32(__m256i v) {
    const __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    const __m128i s2 = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    return _mm_cvtsi128_si32(_mm_add_epi32(s2, _mm_shuffle_epi32(s2, 0xb1)));
}

// R rows x T tokens (int8_tiles.h): each 32 bytes of a row are loaded once for all T tokens,
// each token's (and its absolute value) once for all R rows.
template <int R, int T>
struct DotTileAvx2 {
    static void run(const int8_t* const* w, const int8_t* const* a, int64_t k, int32_t* out) {
        __m256i acc[R * T];
        for (int i = 0; i < R * T; ++i) acc[i] = _mm256_setzero_si256();
        const __m256i ones = _mm256_set1_epi16(1);
        for (int64_t i = 0; i < k; i += 32) {
            __m256i av[T], abs_a[T];
            for (int j = 0; j < T; ++j) {
                av[j] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a[j] + i));
                abs_a[j] = _mm256_sign_epi8(av[j], av[j]);
            }
            for (int r = 0; r < R; ++r) {
                const __m256i wv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[r] + i));
                for (int j = 0; j < T; ++j) {
                    const __m256i prod = _mm256_maddubs_epi16(abs_a[j], _mm256_sign_epi8(wv, av[j]));
                    acc[r * T + j] = _mm256_add_epi32(acc[r * T + j], _mm256_madd_epi16(prod, ones));
                }
            }
        }
        for (int c = 0; c < R * T; ++c) out[c] = hsum_i32(acc[c]);
    }
};

}  // namespace

void avx2_int8_gemm(const int8_t* w, const float* row_scale, int64_t n0, int64_t n1, const QuantizedActs& x,
                    float* y, int64_t ldy) {
    thread_local std::vector<int32_t> no_excess;  // signed products: nothing to take off
    no_excess.assign(static_cast<size_t>(x.rows), 0);
    // Four row streams x blocks of 2 tokens: 8 accumulators, and each token's activations and
    // their absolute values, in the sixteen registers. Before, a batch took one row and one
    // token at a time (harness, 32000 x 2048, 2 threads, three alternating rounds: M = 4
    // 5.0 -> 3.5 ms, M = 8 11.4 -> 5.9, M = 64 75 -> 38; M = 1 and 2 even).
    int8_tiles::gemm<DotTileAvx2, 4, 2>(w, row_scale, n0, n1, x, no_excess.data(), y, ldy);
}

}  // namespace tern
