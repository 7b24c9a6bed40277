#pragma once
// The constants of the softmax exponential both SIMD attention kernels compute (avx2_attention.cpp,
// avx512_attention.cpp), each at its own vector width: for x <= 0, x = n ln2 + r with
// |r| <= ln2/2, e^r by its degree-7 Taylor polynomial (relative error < 1e-8 before rounding),
// times 2^n built in the exponent field. x below kLowest (e^x under FLT_MIN) gives ~1e-38 instead
// of a denormal or 0: negligible next to the max term, which is 1.
namespace tern::exp_poly {

inline constexpr float kLowest = -87.3f;
inline constexpr float kLog2e = 1.44269504f;
inline constexpr float kLn2Hi = 0.693359375f;      // ln2 split in two parts, so n * kLn2Hi is exact
inline constexpr float kLn2Lo = -2.12194440e-4f;
// 1/7!, 1/6!, ..., 1/1!, 1: Horner's order, highest power first.
inline constexpr float kTaylor[] = {1.0f / 5040.0f, 1.0f / 720.0f, 1.0f / 120.0f, 1.0f / 24.0f,
                                    1.0f / 6.0f,    0.5f,           1.0f,           1.0f};

}  // namespace tern::exp_poly
