#include "engine/model/repack.h"

#include <cstring>

#include "engine/tensor/float_codecs.h"

namespace tern {

namespace {
constexpr int64_t kTq2BlockBytes = 66;  // qs[64] + fp16 d, 256 weights

// The first column whose code is 3 in a row of native code bytes (only called once a code 3 is
// known to be there, so speed does not matter).
int64_t first_code3(const uint8_t* codes, int64_t cols) {
    for (int64_t c = 0; c < cols; ++c) {
        const int64_t blk = c / 128, k = (c % 128) / 32, j = c % 32;
        if (((codes[blk * 32 + j] >> (2 * k)) & 3) == 3) return c;
    }
    return -1;
}

// Plain byte loops with OR-reductions: the compiler vectorizes them with the baseline ISA.
uint8_t any_code3(const uint8_t* b, int64_t n) {
    uint8_t acc = 0;
    for (int64_t i = 0; i < n; ++i) acc |= static_cast<uint8_t>(b[i] & (b[i] >> 1));
    return acc & 0x55;
}
}  // namespace

int64_t repack_tq2_0_row(const uint8_t* in, int64_t cols, uint8_t* codes, float* block_scales,
                         bool* block_zero) {
    // A TQ2_0 block is two 128-weight halves whose 32 bytes each hold weights m, m+32, m+64,
    // m+96 in bits 1:0, 3:2, 5:4, 7:6 as code = trit + 1: exactly the TernaryMatrix bytes.
    const int64_t nb = cols / 256;
    for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* blk = in + b * kTq2BlockBytes;
        std::memcpy(codes + b * 64, blk, 64);
        uint8_t not_zero = 0;  // every trit 0 <=> every byte 0x55
        for (int i = 0; i < 64; ++i) not_zero |= static_cast<uint8_t>(blk[i] ^ 0x55);
        block_zero[b] = not_zero == 0;
        uint16_t h;
        std::memcpy(&h, blk + 64, 2);
        block_scales[b] = f16_to_f32(h);
    }
    return any_code3(codes, cols / 4) ? first_code3(codes, cols) : -1;
}

int64_t repack_i2_s_row(const uint8_t* in, int64_t cols, uint8_t* codes) {
    // I2_S keeps weights p, p+32, p+64, p+96 of a 128-block in bits 7:6, 5:4, 3:2, 1:0 of byte
    // p; the native order is the reverse, so each byte's four fields swap end for end.
    const int64_t n = cols / 4;
    for (int64_t i = 0; i < n; ++i) {
        const uint8_t b = in[i];
        codes[i] = static_cast<uint8_t>((b << 6) | ((b << 2) & 0x30) | ((b >> 2) & 0x0C) | (b >> 6));
    }
    return any_code3(codes, n) ? first_code3(codes, cols) : -1;
}

}  // namespace tern
