#include "engine/model/gate_activation.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace tern {

namespace {

// x = n ln2 + r, |r| <= ln2/2; e^r by its degree-7 Taylor polynomial (truncation < 1e-8
// relative); 2^n assembled in the exponent field. Rounding to the nearest n uses the
// 1.5 * 2^23 trick, which needs no SSE4.1 round instruction (the model code targets baseline
// x86-64) and is exact for |x log2e| < 2^22.
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

}  // namespace

float exp_vectorizable(float x) { return exp_poly(x); }

void gate_span(bool relu_squared, float* g, const float* u, int64_t b, int64_t e) {
    float* __restrict gr = g;  // g and u never overlap: lets the loops vectorize
    const float* __restrict ur = u;
    if (relu_squared) {
        for (int64_t i = b; i < e; ++i) {
            const float x = gr[i];
            // relu(x) exactly (2x and the halving are exact), written without a branch so
            // the loop vectorizes under the default trapping-math rules.
            const float r = 0.5f * (x + std::fabs(x));
            gr[i] = r * r * ur[i];
        }
    } else {
        // SiLU: x / (1 + e^-x); e^-x = inf for x < -88.7 gives -0, as the exact formula does.
        for (int64_t i = b; i < e; ++i) gr[i] = gr[i] / (1.0f + exp_poly(-gr[i])) * ur[i];
    }
}

}  // namespace tern
