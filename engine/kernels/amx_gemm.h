#pragma once
// The AMX-INT8 ternary GEMM (M >= 16: prefill, batched decode), written once over a tile-ops
// interface so the same packing and tiling code runs on the real tiles (amx.cpp) and on the
// portable emulation of the instructions it uses (amx_emulated.cpp, tested on every machine).
//
// Tiles (palette 1): 0-3 are C (16 tokens x 16 output rows of int32 each), 4-5 A (16 tokens x
// 64 int8 activations), 6-7 B (16 x 64 bytes: 64 K values x 16 output rows, four consecutive K
// values of one row per 4-byte column). TDPBSSD (signed x signed bytes) adds A x B into C:
//   C[m][n] += sum_{i<16} sum_{j<4} A[m][4i+j] * B[i][4n+j]
// so B holds the ternary weights as int8 trits (-1, 0, +1) and C is exactly sum_k t*q, the
// integer every other path computes as sum c*q - sum q. One 32-row panel of B is unpacked
// once and reused for every token tile; C is combined with the same float rule as
// scalar.cpp (per group: part = float(acc) * scale, sum += part; y = sum * dequant).
//
// Everything here has internal linkage: the two including files are compiled with different
// flags and must never share an instantiation.
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "engine/kernels/scalar_common.h"
#include "engine/kernels/ternary_matrix.h"

namespace tern {
namespace {
namespace amx {

constexpr int kTileRows = 16;    // rows of every tile
constexpr int kTileBytes = 64;   // bytes per tile row
constexpr int kPanelRows = 32;   // output rows per B panel (two B tiles)
constexpr int kTokenBlock = 32;  // tokens per step (two A tiles)

// Unpacks output rows [n, n + rows) (rows <= 32) of `w` into the B-tile panel: for each chunk c
// of 64 K values and B tile b (rows n + 16b ...), a 16 x 64-byte tile where row i, column r holds
// trits k = 64c + 4i .. 64c + 4i + 3 of output row n + 16b + r. Missing rows are zero.
// `trits` is scratch for one row (k bytes).
inline void pack_panel(const TernaryMatrix& w, int64_t n, int rows, int8_t* panel, int8_t* trits) {
    const int64_t k = w.cols, chunk_bytes = 2 * kTileRows * kTileBytes;
    std::memset(panel, 0, static_cast<size_t>(k / 64 * chunk_bytes));
    for (int r = 0; r < rows; ++r) {
        // Packed layout: per block of 128, byte j holds weights j, j+32, j+64, j+96 (2 bits each).
        const uint8_t* codes = w.row_codes(n + r);
        for (int64_t blk = 0; blk < k / 128; ++blk)
            for (int s = 0; s < 4; ++s)
                for (int j = 0; j < 32; ++j)
                    trits[blk * 128 + 32 * s + j] = static_cast<int8_t>(((codes[blk * 32 + j] >> (2 * s)) & 3) - 1);
        int8_t* col = panel + (r / kTileRows) * kTileRows * kTileBytes + (r % kTileRows) * 4;
        for (int64_t kk = 0; kk < k; kk += 4)
            std::memcpy(col + (kk / 64) * chunk_bytes + (kk % 64) / 4 * kTileBytes, trits + kk, 4);
    }
}

// Ops: configure(), release(), zero<T>(), load<T>(ptr, stride), dp<C, A, B>(), store<T>(ptr, stride),
// and pack(w, n, rows, panel, trits): pack_panel's layout (the hardware packs with AVX-512).
template <class Ops>
void ternary_gemm(Ops& ops, const TernaryMatrix& w, int64_t n0, int64_t n1, const QuantizedActs& x, float* y,
                  int64_t ldy) {
    const int64_t k = w.cols, m = x.rows, gs = w.group_size, ng = w.groups_per_row();
    const int64_t chunk_bytes = 2 * kTileRows * kTileBytes;  // two B tiles per 64 K values
    thread_local AlignedPtr<int8_t> panel, tail, trits;
    thread_local int64_t cap = 0;
    if (cap < k) {
        panel = make_aligned<int8_t>(static_cast<size_t>(k / 64 * chunk_bytes));
        tail = make_aligned<int8_t>(static_cast<size_t>(kTokenBlock * k));
        trits = make_aligned<int8_t>(static_cast<size_t>(k));
        cap = k;
    }
    alignas(64) int32_t c[4][kTileRows * kTileRows];
    // A tiles read 32 token rows: the last, partial block reads a zero-padded copy instead of
    // running past the activations, made once here rather than once per panel.
    const int64_t last_block = m / kTokenBlock * kTokenBlock;
    if (last_block < m) {
        std::memset(tail.get(), 0, static_cast<size_t>(kTokenBlock * k));
        std::memcpy(tail.get(), x.row(last_block), static_cast<size_t>((m - last_block) * k));
    }
    ops.configure();
    for (int64_t n = n0; n < n1; n += kPanelRows) {
        const int rows = static_cast<int>(std::min<int64_t>(kPanelRows, n1 - n));
        ops.pack(w, n, rows, panel.get(), trits.get());
        for (int64_t t = 0; t < m; t += kTokenBlock) {
            const int tokens = static_cast<int>(std::min<int64_t>(kTokenBlock, m - t));
            const int8_t* a = t == last_block ? tail.get() : x.row(t);
            // A block of at most 16 tokens (batched decode) leaves A tile 5 all zeros: its two
            // products are skipped, half the tile work.
            const bool upper = tokens > kTileRows;
            float sum[kTokenBlock][kPanelRows] = {};
            for (int64_t g = 0; g < ng; ++g) {
                ops.template zero<0>();
                ops.template zero<1>();
                if (upper) {
                    ops.template zero<2>();
                    ops.template zero<3>();
                }
                for (int64_t kc = g * gs; kc < (g + 1) * gs; kc += kTileBytes) {
                    const int8_t* b = panel.get() + (kc / 64) * chunk_bytes;
                    ops.template load<4>(a + kc, k);
                    ops.template load<6>(b, kTileBytes);
                    ops.template load<7>(b + kTileRows * kTileBytes, kTileBytes);
                    ops.template dp<0, 4, 6>();
                    ops.template dp<1, 4, 7>();
                    if (upper) {
                        ops.template load<5>(a + kTileRows * k + kc, k);
                        ops.template dp<2, 5, 6>();
                        ops.template dp<3, 5, 7>();
                    }
                }
                ops.template store<0>(c[0], kTileRows * 4);
                ops.template store<1>(c[1], kTileRows * 4);
                if (upper) {
                    ops.template store<2>(c[2], kTileRows * 4);
                    ops.template store<3>(c[3], kTileRows * 4);
                }
                // C tile q covers tokens 16*(q/2).., rows 16*(q%2)..
                for (int j = 0; j < tokens; ++j)
                    for (int r = 0; r < rows; ++r) {
                        const int32_t acc = c[(j / kTileRows) * 2 + r / kTileRows][(j % kTileRows) * kTileRows + r % kTileRows];
                        float part = static_cast<float>(acc) * w.scales[(n + r) * ng + g];
                        TERN_NO_CONTRACT(part);
                        sum[j][r] += part;
                    }
            }
            for (int j = 0; j < tokens; ++j)
                for (int r = 0; r < rows; ++r) y[(t + j) * ldy + n + r] = sum[j][r] * x.dequant[static_cast<size_t>(t + j)];
        }
    }
    ops.release();
}

}  // namespace amx
}  // namespace
}  // namespace tern
