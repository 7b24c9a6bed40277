// The AMX GEMM's B-panel packing with AVX-512 (amx_gemm.h's pack_panel does the same in plain
// C++ for the emulation). Its own file, compiled with the AVX-512 flags only, so it is tested
// bit for bit against the scalar packing on any AVX-512 machine, AMX or not.
//
// A B tile (16 output rows, 64 K values) is the 16 x 16 transpose, in 4-byte units, of the 16
// rows' 64 trits: tile row i holds trits 4i .. 4i+3 of every output row. Each row's 64 trits
// come out of one 32-byte code line as two bit planes; the transpose is the usual four rounds
// of 32-bit, 64-bit and two 128-bit-lane shuffles. No memset: every tile is written whole,
// rows past the panel's end as zeros.
#include "engine/kernels/avx512_common.h"

#include "engine/kernels/amx.h"
#include "engine/kernels/amx_gemm.h"

namespace tern {

namespace {

// Trits k = 64c .. 64c + 63 of one row as int8 (-1, 0, +1). A 128-weight block's byte j holds
// weights j, j+32, j+64, j+96 in bit pairs 0..3, so chunk c is planes 2(c%2) and 2(c%2)+1 of
// block c/2.
inline __m512i row_chunk(const uint8_t* codes, int64_t c) {
    const __m256i m3 = _mm256_set1_epi8(3);
    const __m256i line = load256(codes + (c / 2) * 32);
    const int s = 2 * static_cast<int>(c % 2);
    const __m256i lo = _mm256_and_si256(_mm256_srli_epi16(line, 2 * s), m3);
    const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(line, 2 * s + 2), m3);
    return _mm512_sub_epi8(_mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1), _mm512_set1_epi8(1));
}

// out[i] = 32-bit column i of z[0..15] (a 16 x 16 transpose of 32-bit elements).
inline void transpose16_epi32(const __m512i* z, __m512i* out) {
    __m512i t[16], u[16];
    for (int j = 0; j < 8; ++j) {
        t[2 * j] = _mm512_unpacklo_epi32(z[2 * j], z[2 * j + 1]);
        t[2 * j + 1] = _mm512_unpackhi_epi32(z[2 * j], z[2 * j + 1]);
    }
    // u[4j + m], 128-bit lane L: element 4L + m of rows 4j .. 4j+3.
    for (int j = 0; j < 4; ++j) {
        u[4 * j + 0] = _mm512_unpacklo_epi64(t[4 * j], t[4 * j + 2]);
        u[4 * j + 1] = _mm512_unpackhi_epi64(t[4 * j], t[4 * j + 2]);
        u[4 * j + 2] = _mm512_unpacklo_epi64(t[4 * j + 1], t[4 * j + 3]);
        u[4 * j + 3] = _mm512_unpackhi_epi64(t[4 * j + 1], t[4 * j + 3]);
    }
    for (int m = 0; m < 4; ++m) {
        const __m512i v0 = _mm512_shuffle_i32x4(u[m], u[4 + m], _MM_SHUFFLE(1, 0, 1, 0));
        const __m512i v1 = _mm512_shuffle_i32x4(u[m], u[4 + m], _MM_SHUFFLE(3, 2, 3, 2));
        const __m512i v2 = _mm512_shuffle_i32x4(u[8 + m], u[12 + m], _MM_SHUFFLE(1, 0, 1, 0));
        const __m512i v3 = _mm512_shuffle_i32x4(u[8 + m], u[12 + m], _MM_SHUFFLE(3, 2, 3, 2));
        out[m] = _mm512_shuffle_i32x4(v0, v2, _MM_SHUFFLE(2, 0, 2, 0));
        out[4 + m] = _mm512_shuffle_i32x4(v0, v2, _MM_SHUFFLE(3, 1, 3, 1));
        out[8 + m] = _mm512_shuffle_i32x4(v1, v3, _MM_SHUFFLE(2, 0, 2, 0));
        out[12 + m] = _mm512_shuffle_i32x4(v1, v3, _MM_SHUFFLE(3, 1, 3, 1));
    }
}

}  // namespace

void amx_pack_panel_avx512(const TernaryMatrix& w, int64_t n, int rows, int8_t* panel) {
    constexpr int kRows = amx::kTileRows, kBytes = amx::kTileBytes;
    const int64_t chunks = w.cols / 64;
    for (int b = 0; b < 2; ++b) {
        const uint8_t* codes[kRows];
        const int have = std::clamp(rows - b * kRows, 0, kRows);
        for (int r = 0; r < have; ++r) codes[r] = w.row_codes(n + b * kRows + r);
        for (int64_t c = 0; c < chunks; ++c) {
            __m512i z[kRows], out[kRows];
            for (int r = 0; r < kRows; ++r) z[r] = r < have ? row_chunk(codes[r], c) : _mm512_setzero_si512();
            transpose16_epi32(z, out);
            int8_t* tile = panel + c * 2 * kRows * kBytes + b * kRows * kBytes;
            for (int i = 0; i < kRows; ++i) _mm512_store_si512(tile + i * kBytes, out[i]);
        }
    }
}

}  // namespace tern
