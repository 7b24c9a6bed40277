#include "engine/tensor/float_codecs.h"

#include <cstring>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#endif

#include "engine/gguf/ggml_type.h"
#include "engine/base/error.h"

namespace tern {

namespace {

uint32_t float_bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}

float bits_float(uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

uint16_t load_u16(const uint8_t* p) {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
}

// ggml block layouts (ggml-common.h): Q8_0 = { fp16 d; int8 qs[32]; },
// Q6_K = { uint8 ql[128]; uint8 qh[64]; int8 scales[16]; fp16 d; } for 256 weights.
constexpr int kQ8_0Bytes = 34;
constexpr int kQ6_KBytes = 210;

void dequantize_q8_0(const uint8_t* in, int64_t n, float* out) {
    for (int64_t b = 0; b < n / 32; ++b, in += kQ8_0Bytes, out += 32) {
        const float d = f16_to_f32(load_u16(in));
        const auto* qs = reinterpret_cast<const int8_t*>(in + 2);
        for (int i = 0; i < 32; ++i) out[i] = d * static_cast<float>(qs[i]);
    }
}

// Each 6-bit code is 4 low bits from ql and 2 high bits from qh, minus 32; 16 sub-blocks
// of 16 weights each have an int8 scale, times the block's fp16 d. Per 128-weight half:
// ql[l] low/high nibbles -> weights l / l+64, ql[l+32] -> l+32 / l+96, and qh[l] bit
// pairs 0,1,2,3 -> weights l, l+32, l+64, l+96.
void dequantize_q6_k(const uint8_t* in, int64_t n, float* out) {
    for (int64_t b = 0; b < n / 256; ++b, in += kQ6_KBytes) {
        const uint8_t* ql = in;
        const uint8_t* qh = in + 128;
        const auto* sc = reinterpret_cast<const int8_t*>(in + 192);
        const float d = f16_to_f32(load_u16(in + 208));
        for (int half = 0; half < 2; ++half, out += 128, ql += 64, qh += 32, sc += 8) {
            for (int l = 0; l < 32; ++l) {
                const int is = l / 16;
                const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                out[l] = d * static_cast<float>(sc[is] * q1);
                out[l + 32] = d * static_cast<float>(sc[is + 2] * q2);
                out[l + 64] = d * static_cast<float>(sc[is + 4] * q3);
                out[l + 96] = d * static_cast<float>(sc[is + 6] * q4);
            }
        }
    }
}

#if defined(__x86_64__) || defined(__i386__)
#define TERN_F16C_ROWS 1
// Eight halves at a time with F16C (vcvtph2ps is exact for every finite value and subnormal).
// Groups holding an infinity or NaN take the scalar path, which keeps NaN payloads and the
// signalling bit exactly as f16_to_f32 does (the instruction would quiet them).
__attribute__((target("avx,f16c"))) int64_t f16_row_to_f32_f16c(const uint8_t* row, int64_t n, float* out) {
    const __m128i exp_mask = _mm_set1_epi16(0x7c00);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 2 * i));
        if (_mm_movemask_epi8(_mm_cmpeq_epi16(_mm_and_si128(h, exp_mask), exp_mask)) != 0) {
            for (int64_t j = i; j < i + 8; ++j) out[j] = f16_to_f32(load_u16(row + 2 * j));
            continue;
        }
        _mm256_storeu_ps(out + i, _mm256_cvtph_ps(h));
    }
    return i;
}

// CPUID leaf 1: AVX (ECX bit 28), F16C (bit 29), OSXSAVE (bit 27) and the OS saving YMM state
// (XCR0 bits 1-2). Asked directly because clang's __builtin_cpu_supports has no "f16c".
bool cpu_has_f16c() {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return false;
    const bool osxsave = ecx & (1u << 27), avx = ecx & (1u << 28), f16c = ecx & (1u << 29);
    if (!(osxsave && avx && f16c)) return false;
    unsigned xcr0_lo = 0, xcr0_hi = 0;
    __asm__("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    return (xcr0_lo & 0x6u) == 0x6u;
}
#endif

void f16_row_to_f32(const uint8_t* row, int64_t n, float* out) {
    int64_t i = 0;
#ifdef TERN_F16C_ROWS
    static const bool f16c = cpu_has_f16c();
    if (f16c) i = f16_row_to_f32_f16c(row, n, out);
#endif
    for (; i < n; ++i) out[i] = f16_to_f32(load_u16(row + 2 * i));
}

}  // namespace

float bf16_to_f32(uint16_t h) { return bits_float(static_cast<uint32_t>(h) << 16); }

uint16_t f32_to_bf16(float f) {
    const uint32_t x = float_bits(f);
    if ((x & 0x7fffffff) > 0x7f800000) return static_cast<uint16_t>((x >> 16) | 0x40);  // quiet NaN
    return static_cast<uint16_t>((x + 0x7fff + ((x >> 16) & 1)) >> 16);
}

bool is_float_decodable(uint32_t type_id) {
    switch (static_cast<GgmlType>(type_id)) {
    case GgmlType::F32: case GgmlType::F16: case GgmlType::BF16:
    case GgmlType::Q8_0: case GgmlType::Q6_K: return true;
    default: return false;
    }
}

void dequantize_row(uint32_t type_id, const uint8_t* row, int64_t n, float* out) {
    if (n < 0) throw Error("dequantize_row: negative length " + std::to_string(n));
    const auto check_blocks = [&](int64_t block) {
        if (n % block != 0)
            throw Error("dequantize_row: " + type_name(type_id) + " row length " +
                        std::to_string(n) + " is not a multiple of " + std::to_string(block));
    };
    switch (static_cast<GgmlType>(type_id)) {
    case GgmlType::F32:
        std::memcpy(out, row, static_cast<size_t>(n) * 4);
        return;
    case GgmlType::F16:
        f16_row_to_f32(row, n, out);
        return;
    case GgmlType::BF16:
        for (int64_t i = 0; i < n; ++i) out[i] = bf16_to_f32(load_u16(row + 2 * i));
        return;
    case GgmlType::Q8_0:
        check_blocks(32);
        dequantize_q8_0(row, n, out);
        return;
    case GgmlType::Q6_K:
        check_blocks(256);
        dequantize_q6_k(row, n, out);
        return;
    default:
        throw UnsupportedError("tensor type " + type_name(type_id) +
                               " cannot be converted to float (supported: F32, F16, BF16, Q8_0, Q6_K)");
    }
}

}  // namespace tern
