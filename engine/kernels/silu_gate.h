#pragma once
// The FFN's SiLU gate, one source for every kernel set: each set's file compiles it with its
// own vector width (scalar.cpp baseline SSE2, avx2_gate.cpp, avx512_gate.cpp). Every step is
// a plain IEEE operation in a fixed order and those files are built without FMA contraction,
// so all sets give the same bits (tested).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace tern::silu_detail {

// x = n ln2 + r, |r| <= ln2/2; e^r by its degree-7 Taylor polynomial (truncation < 1e-8
// relative); 2^n assembled in the exponent field. Rounding to the nearest n uses the
// 1.5 * 2^23 trick (no round instruction needed), exact for |x log2e| < 2^22.
inline float exp_poly(float x) {
    // Clamped into range first; NaN fails the first test and becomes -87.3 (no undefined
    // float-to-int conversion below).
    const float big = x > 88.7f ? INFINITY : 1.0f;
    x = std::min(std::max(-87.3f, x), 88.7f);
    const float shift = 12582912.0f;  // 1.5 * 2^23
    const float n = (x * 1.44269504f + shift) - shift;
    float r = x - n * 0.693359375f;   // ln2 in two parts: the first is exact in 9 bits
    r = r - n * -2.12194440e-4f;
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    // 2^n as two factors so n = 128 (x near 88.7) stays a normal number.
    const int32_t ni = static_cast<int32_t>(n);
    const int32_t half = ni / 2;
    const int32_t b1 = (half + 127) << 23, b2 = (ni - half + 127) << 23;
    float s1, s2;
    std::memcpy(&s1, &b1, 4);
    std::memcpy(&s2, &b2, 4);
    return p * s1 * s2 * big;
}

// g[i] = SiLU(g[i]) * u[i], SiLU(x) = x / (1 + e^-x); e^-x = inf for x < -88.7 gives -0, as the
// exact formula does. g and u do not overlap.
inline void silu_gate(float* g, const float* u, int64_t n) {
    float* __restrict gr = g;  // lets the loop vectorize
    const float* __restrict ur = u;
    for (int64_t i = 0; i < n; ++i) gr[i] = gr[i] / (1.0f + exp_poly(-gr[i])) * ur[i];
}

}  // namespace tern::silu_detail
