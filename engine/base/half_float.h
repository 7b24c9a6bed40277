#pragma once
// IEEE half <-> float, the one rounding rule of the engine: exact decoding (subnormals, inf,
// NaN payloads) and round-to-nearest-even encoding (what F16C's vcvtps2ph does, so SIMD stores
// can be checked bit for bit against it). Used by the tensor codecs and the kernels alike.
#include <bit>
#include <cstdint>

namespace tern {

inline float f16_to_f32(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
    const uint32_t exp = (h >> 10) & 0x1f;
    const uint32_t mant = h & 0x3ff;
    if (exp == 0x1f) return std::bit_cast<float>(sign | 0x7f800000 | (mant << 13));  // inf / nan
    if (exp == 0) {
        // Zero or subnormal: mant * 2^-24, exact in float.
        const float v = static_cast<float>(mant) * 5.9604644775390625e-08f;
        return sign ? -v : v;
    }
    return std::bit_cast<float>(sign | ((exp + 112) << 23) | (mant << 13));
}

inline uint16_t f32_to_f16(float f) {
    const uint32_t x = std::bit_cast<uint32_t>(f);
    const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000);
    const uint32_t ax = x & 0x7fffffff;
    if (ax >= 0x7f800000) {
        if (ax == 0x7f800000) return sign | 0x7c00;
        return static_cast<uint16_t>(sign | 0x7e00 | ((ax >> 13) & 0x3ff));  // quiet NaN
    }
    if (ax >= 0x477ff000) return sign | 0x7c00;  // >= 65520 rounds to infinity
    if (ax < 0x38800000) {
        // Below the smallest normal half (2^-14): a subnormal in units of 2^-24.
        const uint32_t e = ax >> 23;
        if (e < 102) return sign;  // < 2^-25: rounds to zero
        const uint32_t m = (ax & 0x7fffff) | 0x800000;
        const uint32_t shift = 126 - e;  // 14..24
        uint32_t q = m >> shift;
        const uint32_t rem = m & ((1u << shift) - 1);
        const uint32_t halfway = 1u << (shift - 1);
        if (rem > halfway || (rem == halfway && (q & 1))) ++q;  // may carry into the normal range
        return static_cast<uint16_t>(sign | q);
    }
    // Normal: rebias the exponent (127 -> 15) and round the 13 dropped bits to nearest even.
    const uint32_t odd = (ax >> 13) & 1;
    const uint32_t r = ax + 0xc8000fffu + odd;
    return static_cast<uint16_t>(sign | (r >> 13));
}

}  // namespace tern
