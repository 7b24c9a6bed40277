#pragma once
// Byte-level repacking of file ternary rows into the TernaryMatrix layout, without going
// through one int8 per trit: TQ2_0 blocks already hold the native byte layout (a copy that
// skips the scales), I2_S bytes only need their four 2-bit fields reversed. Both reject the
// unused code 3 (it is not a trit), like the trit path.
#include <cstdint>

namespace tern {

// One TQ2_0 row of `cols` weights (cols % 256 == 0) -> cols/4 code bytes, the fp16 block scales
// as float, and whether each 256-block is all zero trits (its scale then does not matter).
// Returns the column of the first code 3, or -1 when the row is valid.
int64_t repack_tq2_0_row(const uint8_t* in, int64_t cols, uint8_t* codes, float* block_scales,
                         bool* block_zero);

// One I2_S row (cols % 128 == 0, bytes at row*cols/4 of the tensor) -> cols/4 code bytes.
// Returns the column of the first code 3, or -1.
int64_t repack_i2_s_row(const uint8_t* in, int64_t cols, uint8_t* codes);

}  // namespace tern
