#pragma once
// The engine-native, in-memory form of a ternary weight matrix (W1.58). Every ternary file
// type (I2_S, TQ2_0, TQ1_0) is repacked into this at load, so kernels see one layout.
#include <cstdint>
#include <vector>

#include "engine/base/aligned_memory.h"

namespace tern {

// y[n] = scale(n, g) * sum_k t[n][k] * x[k], t in {-1,0,+1}.
// Layout of `codes`: row-major, each row cols/4 bytes, cut into blocks of 128 weights
// (32 bytes). Byte j of a block holds weights j, j+32, j+64, j+96 of that block in bits
// 1:0, 3:2, 5:4, 7:6; code c in {0,1,2} means trit c-1 (3 never occurs).
// Scales: one float per (row, group of group_size weights), group_size a multiple of 128
// dividing cols; group_size == cols when a row has one scale (I2_S, uniform TQ blocks).
struct TernaryMatrix {
    int64_t rows = 0;
    int64_t cols = 0;          // multiple of 128
    int64_t group_size = 0;
    AlignedPtr<uint8_t> codes;  // rows * cols / 4 bytes
    std::vector<float> scales;  // rows * (cols / group_size)

    int64_t row_bytes() const { return cols / 4; }
    int64_t groups_per_row() const { return cols / group_size; }
    const uint8_t* row_codes(int64_t r) const { return codes.get() + r * row_bytes(); }
    uint8_t* row_codes(int64_t r) { return codes.get() + r * row_bytes(); }
    float scale(int64_t r, int64_t g) const { return scales[r * groups_per_row() + g]; }
};

// A zero-filled matrix (codes all 0, i.e. trits -1; scales 0) of the given shape. Throws
// tern::Error when cols is not a positive multiple of 128, or group_size is not a multiple of
// 128 dividing cols (group_size <= 0 means one group per row).
TernaryMatrix make_ternary_matrix(int64_t rows, int64_t cols, int64_t group_size);

// One row of `cols` trits (int8 in {-1,0,+1}; cols % 128 == 0) to/from the layout above
// (cols/4 bytes). Packing throws tern::Error on a value outside {-1,0,+1}.
void pack_trits_row(const int8_t* trits, int64_t cols, uint8_t* out);
void unpack_row(const uint8_t* codes, int64_t cols, int8_t* trits);

// Activations of M tokens quantized per token (docs/FORMATS.md section 3, bitnet.cpp's scheme):
// s = 127 / max(absmax, 1e-5), q = clamp(round_half_even(x*s), -128, 127).
// x ~= q * dequant[m]; block_sums[m][b] = sum of q over the b-th block of 128 values.
struct QuantizedActs {
    int64_t rows = 0;   // tokens (M)
    int64_t cols = 0;   // K, multiple of 128
    AlignedPtr<int8_t> q;          // rows * cols
    std::vector<float> dequant;    // rows: 1 / s
    std::vector<int32_t> block_sums;  // rows * cols/128
    int64_t capacity = 0;             // bytes allocated in q (resize only grows it)
    // A number no other resize() in the process has given out. Kernels may cache layouts
    // derived from q under it (the VNNI GEMM's block-pair copy), so code that rewrites q in
    // place after a product must call resize() again.
    uint64_t version = 0;
    void resize(int64_t m, int64_t k);
    const int8_t* row(int64_t m) const { return q.get() + m * cols; }
};

}  // namespace tern
