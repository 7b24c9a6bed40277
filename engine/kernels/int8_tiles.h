#pragma once
// The row and token tiling of the int8 products (the re-quantized output head,
// KernelSet::int8_gemm), shared by the AVX2 and the VNNI sets; no intrinsics here.
//
// R far-apart row streams (as the decode GEMVs: more DRAM requests in flight) x blocks of up
// to TMax tokens. The R rows (a few KiB) stay in L1 while the token blocks pass, so each row is
// read from memory once however many tokens there are (perplexity's logits: hundreds).
// Dot<R, T>::run(rows, tokens, k, out) gives the exact int32 sums out[r * T + j] of row r and
// token j; the float step is the scalar set's, in its order.
#include <cstdint>

#include "engine/kernels/ternary_matrix.h"

namespace tern {

namespace {

namespace int8_tiles {

// Rows rows[0..R) x tokens [m, m + T) into y. excess[m + j] is taken off token j's sums (the
// VNNI product's unsigned offset; zeros for AVX2).
template <template <int, int> class Dot, int R, int T>
inline void tile(const int8_t* w, const float* row_scale, const int64_t* rows, const QuantizedActs& x, int64_t m,
                 const int32_t* excess, float* y, int64_t ldy) {
    const int64_t k = x.cols;
    const int8_t* wr[R];
    const int8_t* a[T];
    for (int r = 0; r < R; ++r) wr[r] = w + rows[r] * k;
    for (int j = 0; j < T; ++j) a[j] = x.row(m + j);
    int32_t acc[R * T];
    Dot<R, T>::run(wr, a, k, acc);
    for (int r = 0; r < R; ++r)
        for (int j = 0; j < T; ++j)
            y[(m + j) * ldy + rows[r]] = static_cast<float>(acc[r * T + j] - excess[m + j]) * row_scale[rows[r]] *
                                         x.dequant[static_cast<size_t>(m + j)];
}

// The last `left` (< TMax) tokens from m: the tile of exactly that many.
template <template <int, int> class Dot, int R, int TMax, int T = 1>
inline void tail(const int8_t* w, const float* row_scale, const int64_t* rows, const QuantizedActs& x, int64_t m,
                 int64_t left, const int32_t* excess, float* y, int64_t ldy) {
    if constexpr (T < TMax) {
        if (left == T) tile<Dot, R, T>(w, row_scale, rows, x, m, excess, y, ldy);
        else tail<Dot, R, TMax, T + 1>(w, row_scale, rows, x, m, left, excess, y, ldy);
    }
}

// Rows rows[0..R) x every token.
template <template <int, int> class Dot, int R, int TMax>
void all_tokens(const int8_t* w, const float* row_scale, const int64_t* rows, const QuantizedActs& x,
                const int32_t* excess, float* y, int64_t ldy) {
    int64_t m = 0;
    for (; m + TMax <= x.rows; m += TMax) tile<Dot, R, TMax>(w, row_scale, rows, x, m, excess, y, ldy);
    tail<Dot, R, TMax>(w, row_scale, rows, x, m, x.rows - m, excess, y, ldy);
}

// Rows [n0, n1) as R streams, each over an equal part (the leftover rows one at a time).
template <template <int, int> class Dot, int R, int TMax>
void gemm(const int8_t* w, const float* row_scale, int64_t n0, int64_t n1, const QuantizedActs& x,
          const int32_t* excess, float* y, int64_t ldy) {
    const int64_t part = (n1 - n0) / R;
    for (int64_t i = 0; i < part; ++i) {
        int64_t rows[R];
        for (int r = 0; r < R; ++r) rows[r] = n0 + r * part + i;
        all_tokens<Dot, R, TMax>(w, row_scale, rows, x, excess, y, ldy);
    }
    for (int64_t n = n0 + R * part; n < n1; ++n) all_tokens<Dot, 1, TMax>(w, row_scale, &n, x, excess, y, ldy);
}

}  // namespace int8_tiles

}  // namespace

}  // namespace tern
