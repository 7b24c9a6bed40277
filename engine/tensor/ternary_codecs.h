#pragma once
// Pack and unpack the ternary storage formats of docs/FORMATS.md section 2. Trits are int8 in
// {-1, 0, +1}; a row holds `n` weights. Unpacking is exact (bit-for-bit round trips).
#include <cstdint>
#include <span>
#include <vector>

namespace tern {

// TQ2_0: blocks of 256 weights, 66 bytes (qs[64], fp16 d). n % 256 == 0.
void tq2_0_pack_row(const int8_t* trits, const float* block_scales, int64_t n, uint8_t* out);
void tq2_0_unpack_row(const uint8_t* in, int64_t n, int8_t* trits, float* block_scales);

// TQ1_0: blocks of 256 weights, 54 bytes (qs[48], qh[4], fp16 d). n % 256 == 0.
void tq1_0_pack_row(const int8_t* trits, const float* block_scales, int64_t n, uint8_t* out);
void tq1_0_unpack_row(const uint8_t* in, int64_t n, int8_t* trits, float* block_scales);

// I2_S: a whole tensor (rows x cols, cols % 128 == 0) of 2-bit codes plus one float scale
// at byte rows*cols/4 and padding to rows*cols/4 + 32 bytes.
std::vector<uint8_t> i2_s_pack(const int8_t* trits, int64_t rows, int64_t cols, float scale);
// Codes of one row (cols % 128 == 0) into cols/4 bytes; the row starts at byte row*cols/4 of
// the tensor. For writers that fill a tensor in place (the scale goes at rows*cols/4).
void i2_s_pack_row(const int8_t* trits, int64_t cols, uint8_t* out);
void i2_s_unpack_row(const uint8_t* tensor, int64_t row, int64_t cols, int8_t* trits);
float i2_s_scale(const uint8_t* tensor, int64_t rows, int64_t cols);

}  // namespace tern
