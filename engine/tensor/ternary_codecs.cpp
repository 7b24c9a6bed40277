#include "engine/tensor/ternary_codecs.h"

#include <cstring>
#include <string>

#include "engine/base/error.h"
#include "engine/tensor/float_codecs.h"

// Layouts per docs/FORMATS.md section 2, checked against the fixture files (tests/engine/
// test_codecs_fixtures.cpp). Trits are stored as code = trit + 1; an out-of-range code found
// in a file (TQ2_0/I2_S code 3) unpacks to +2 so that pack(unpack(bytes)) stays bit-exact.

namespace tern {

namespace {

constexpr int kBlock = 256;
constexpr int kTq2Bytes = 66;
constexpr int kTq1Bytes = 54;

void check_row(int64_t n, int64_t multiple, const char* what) {
    if (n < 0 || n % multiple != 0)
        throw Error(std::string(what) + ": row length " + std::to_string(n) +
                    " is not a multiple of " + std::to_string(multiple));
}

uint8_t code_of(int8_t trit) { return static_cast<uint8_t>((trit + 1) & 3); }

void store_f16(uint8_t* p, float v) {
    const uint16_t h = f32_to_f16(v);
    std::memcpy(p, &h, 2);
}

float load_f16(const uint8_t* p) {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return f16_to_f32(h);
}

// Base-3 packing of TQ1_0: c = sum t_k 3^(4-k) (first trit most significant), stored as
// ceil(c * 256 / 243) so that trit k is recovered by ((uint8)(b * 3^k) * 3) >> 8.
uint8_t pack5(const int8_t* t, int stride, int count) {
    unsigned c = 0;
    for (int k = 0; k < 5; ++k) c = c * 3 + (k < count ? code_of(t[k * stride]) % 3 : 0);
    return static_cast<uint8_t>((c * 256 + 242) / 243);
}

int8_t trit_at(uint8_t b, int k) {
    static constexpr uint8_t pow3[5] = {1, 3, 9, 27, 81};
    const uint8_t q = static_cast<uint8_t>(b * pow3[k]);
    return static_cast<int8_t>(((q * 3) >> 8) - 1);
}

}  // namespace

void tq2_0_pack_row(const int8_t* trits, const float* block_scales, int64_t n, uint8_t* out) {
    check_row(n, kBlock, "TQ2_0 pack");
    for (int64_t b = 0; b < n / kBlock; ++b, trits += kBlock, out += kTq2Bytes) {
        for (int chunk = 0; chunk < 2; ++chunk) {
            const int8_t* t = trits + chunk * 128;
            for (int m = 0; m < 32; ++m)
                out[chunk * 32 + m] = static_cast<uint8_t>(
                    code_of(t[m]) | code_of(t[m + 32]) << 2 | code_of(t[m + 64]) << 4 |
                    code_of(t[m + 96]) << 6);
        }
        store_f16(out + 64, block_scales[b]);
    }
}

void tq2_0_unpack_row(const uint8_t* in, int64_t n, int8_t* trits, float* block_scales) {
    check_row(n, kBlock, "TQ2_0 unpack");
    for (int64_t b = 0; b < n / kBlock; ++b, trits += kBlock, in += kTq2Bytes) {
        for (int chunk = 0; chunk < 2; ++chunk) {
            int8_t* t = trits + chunk * 128;
            for (int m = 0; m < 32; ++m) {
                const uint8_t q = in[chunk * 32 + m];
                for (int k = 0; k < 4; ++k) t[m + 32 * k] = static_cast<int8_t>(((q >> (2 * k)) & 3) - 1);
            }
        }
        if (block_scales) block_scales[b] = load_f16(in + 64);
    }
}

void tq1_0_pack_row(const int8_t* trits, const float* block_scales, int64_t n, uint8_t* out) {
    check_row(n, kBlock, "TQ1_0 pack");
    for (int64_t b = 0; b < n / kBlock; ++b, trits += kBlock, out += kTq1Bytes) {
        // qs[0..31]: weights m + 32k (0..159); qs[32..47]: 160 + m + 16k (160..239).
        for (int m = 0; m < 32; ++m) out[m] = pack5(trits + m, 32, 5);
        for (int m = 0; m < 16; ++m) out[32 + m] = pack5(trits + 160 + m, 16, 5);
        // qh[0..3]: 4 trits of weights 240 + j + 4k, the fifth trit left 0.
        for (int j = 0; j < 4; ++j) out[48 + j] = pack5(trits + 240 + j, 4, 4);
        store_f16(out + 52, block_scales[b]);
    }
}

void tq1_0_unpack_row(const uint8_t* in, int64_t n, int8_t* trits, float* block_scales) {
    check_row(n, kBlock, "TQ1_0 unpack");
    for (int64_t b = 0; b < n / kBlock; ++b, trits += kBlock, in += kTq1Bytes) {
        for (int m = 0; m < 32; ++m)
            for (int k = 0; k < 5; ++k) trits[m + 32 * k] = trit_at(in[m], k);
        for (int m = 0; m < 16; ++m)
            for (int k = 0; k < 5; ++k) trits[160 + m + 16 * k] = trit_at(in[32 + m], k);
        for (int j = 0; j < 4; ++j)
            for (int k = 0; k < 4; ++k) trits[240 + j + 4 * k] = trit_at(in[48 + j], k);
        if (block_scales) block_scales[b] = load_f16(in + 52);
    }
}

void i2_s_pack_row(const int8_t* trits, int64_t cols, uint8_t* out) {
    check_row(cols, 128, "I2_S pack");
    // Blocks of 128 weights = 32 bytes: byte p holds weights p, p+32, p+64, p+96 in bit
    // pairs 7:6, 5:4, 3:2, 1:0 (most significant pair first).
    for (int64_t blk = 0; blk < cols / 128; ++blk, trits += 128, out += 32)
        for (int p = 0; p < 32; ++p)
            out[p] = static_cast<uint8_t>(code_of(trits[p]) << 6 | code_of(trits[p + 32]) << 4 |
                                          code_of(trits[p + 64]) << 2 | code_of(trits[p + 96]));
}

std::vector<uint8_t> i2_s_pack(const int8_t* trits, int64_t rows, int64_t cols, float scale) {
    if (rows < 0) throw Error("I2_S pack: negative row count");
    check_row(cols, 128, "I2_S pack");
    const int64_t n = rows * cols;
    std::vector<uint8_t> out(static_cast<size_t>(n / 4 + 32), 0);
    for (int64_t r = 0; r < rows; ++r) i2_s_pack_row(trits + r * cols, cols, out.data() + r * cols / 4);
    std::memcpy(out.data() + n / 4, &scale, 4);
    return out;
}

void i2_s_unpack_row(const uint8_t* tensor, int64_t row, int64_t cols, int8_t* trits) {
    check_row(cols, 128, "I2_S unpack");
    const uint8_t* in = tensor + row * cols / 4;
    for (int64_t blk = 0; blk < cols / 128; ++blk, in += 32, trits += 128)
        for (int p = 0; p < 32; ++p) {
            const uint8_t q = in[p];
            trits[p] = static_cast<int8_t>(((q >> 6) & 3) - 1);
            trits[p + 32] = static_cast<int8_t>(((q >> 4) & 3) - 1);
            trits[p + 64] = static_cast<int8_t>(((q >> 2) & 3) - 1);
            trits[p + 96] = static_cast<int8_t>((q & 3) - 1);
        }
}

float i2_s_scale(const uint8_t* tensor, int64_t rows, int64_t cols) {
    float s;
    std::memcpy(&s, tensor + rows * cols / 4, 4);
    return s;
}

}  // namespace tern
