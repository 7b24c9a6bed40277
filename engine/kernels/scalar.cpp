// The portable reference kernel set. Every SIMD set must reproduce its integer results exactly
// and, for the ternary path, its float outputs bit for bit (same per-group int32, same float
// combine order: y = (sum_g float(acc_g) * scale_g) * dequant, one rounding per step).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/kernels/kernel_set.h"
#include "engine/kernels/scalar_common.h"
#include "engine/kernels/silu_gate.h"

namespace tern {

namespace {

void quantize_acts(const float* x, int64_t m, int64_t k, int64_t ldx, QuantizedActs& out) {
    out.resize(m, k);
    const int64_t nb = k / 128;
    for (int64_t r = 0; r < m; ++r) {
        const float* xr = x + r * ldx;
        float amax = 0.0f;
        for (int64_t i = 0; i < k; ++i) {
            const float a = std::fabs(xr[i]);
            amax = a > amax ? a : amax;  // NaN never wins (matches the SIMD max order)
        }
        const float s = 127.0f / std::max(amax, 1e-5f);
        out.dequant[r] = 1.0f / s;
        int8_t* q = out.q.get() + r * k;
        for (int64_t b = 0; b < nb; ++b) {
            int32_t sum = 0;
            for (int64_t i = b * 128; i < (b + 1) * 128; ++i) {
                const int8_t v = scalar_detail::quantize_one(xr[i], s);
                q[i] = v;
                sum += v;
            }
            out.block_sums[r * nb + b] = sum;
        }
    }
}

int32_t ternary_dot_i32(const uint8_t* codes, const int8_t* q, int64_t k) {
    int32_t acc = 0;
    for (int64_t b = 0; b < k / 128; ++b) {
        const uint8_t* c = codes + b * 32;
        const int8_t* qb = q + b * 128;
        for (int j = 0; j < 32; ++j) {
            const int byte = c[j];
            acc += ((byte & 3) - 1) * qb[j] + (((byte >> 2) & 3) - 1) * qb[j + 32] +
                   (((byte >> 4) & 3) - 1) * qb[j + 64] + (((byte >> 6) & 3) - 1) * qb[j + 96];
        }
    }
    return acc;
}

void ternary_gemm(const TernaryMatrix& w, int64_t n0, int64_t n1, const QuantizedActs& x, float* y,
                  int64_t ldy) {
    const int64_t gs = w.group_size, ng = w.groups_per_row();
    for (int64_t n = n0; n < n1; ++n) {
        const uint8_t* row = w.row_codes(n);
        const float* sc = w.scales.data() + n * ng;
        for (int64_t m = 0; m < x.rows; ++m) {
            const int8_t* q = x.row(m);
            float sum = 0.0f;
            for (int64_t g = 0; g < ng; ++g) {
                const int32_t acc = ternary_dot_i32(row + g * gs / 4, q + g * gs, gs);
                float part = static_cast<float>(acc) * sc[g];
                TERN_NO_CONTRACT(part);
                sum += part;
            }
            y[m * ldy + n] = sum * x.dequant[m];
        }
    }
}

// Float dots use 8 interleaved partial sums (lane i takes elements i mod 8), the same shape as
// a vector accumulator, which also keeps rounding error low for long rows.
template <class Load>
float dot_lanes(const float* b, int64_t n, Load a) {
    float acc[8] = {};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; ++l) acc[l] += a(i + l) * b[i + l];
    for (int l = 0; i < n; ++i, ++l) acc[l] += a(i) * b[i];
    return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

float dot_f32(const float* a, const float* b, int64_t n) {
    return dot_lanes(b, n, [a](int64_t i) { return a[i]; });
}

float dot_f16_f32(const uint16_t* a, const float* b, int64_t n) {
    return dot_lanes(b, n, [a](int64_t i) { return scalar_detail::f16_to_f32(a[i]); });
}

void f32_gemm(const float* w, int64_t n0, int64_t n1, const float* x, int64_t m, int64_t k, float* y,
              int64_t ldy) {
    for (int64_t n = n0; n < n1; ++n)
        for (int64_t t = 0; t < m; ++t) y[t * ldy + n] = dot_f32(w + n * k, x + t * k, k);
}

void f16_gemm(const uint16_t* w, int64_t n0, int64_t n1, const float* x, int64_t m, int64_t k,
              float* y, int64_t ldy) {
    for (int64_t n = n0; n < n1; ++n)
        for (int64_t t = 0; t < m; ++t) y[t * ldy + n] = dot_f16_f32(w + n * k, x + t * k, k);
}

void axpy_f32(float a, const float* x, float* y, int64_t n) {
    for (int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}

void axpy_f16_f32(float a, const uint16_t* x, float* y, int64_t n) {
    for (int64_t i = 0; i < n; ++i) y[i] += a * scalar_detail::f16_to_f32(x[i]);
}

void rmsnorm(const float* x, const float* w, int64_t n, float eps, float* out) {
    const float scale = scalar_detail::rms_scale(scalar_detail::sum_squares_f64(x, n), n, eps);
    for (int64_t i = 0; i < n; ++i) out[i] = w ? (x[i] * scale) * w[i] : x[i] * scale;
}

constexpr auto attend_f32 = scalar_detail::attend_with<float, dot_f32, axpy_f32>;
constexpr auto attend_f16 = scalar_detail::attend_with<uint16_t, dot_f16_f32, axpy_f16_f32>;
constexpr auto attend_rows_f32 = scalar_detail::attend_rows_with<float, attend_f32>;
constexpr auto attend_rows_f16 = scalar_detail::attend_rows_with<uint16_t, attend_f16>;

void int8_gemm(const int8_t* w, const float* row_scale, int64_t n0, int64_t n1, const QuantizedActs& x, float* y,
               int64_t ldy) {
    const int64_t k = x.cols;
    for (int64_t n = n0; n < n1; ++n)
        for (int64_t m = 0; m < x.rows; ++m) {
            const int8_t* a = x.row(m);
            int32_t s = 0;
            for (int64_t i = 0; i < k; ++i) s += int32_t(w[n * k + i]) * int32_t(a[i]);
            y[m * ldy + n] = static_cast<float>(s) * row_scale[n] * x.dequant[static_cast<size_t>(m)];
        }
}

// Four far-apart streams in lockstep, as the SIMD sets read (portable 8-byte loads).
uint64_t sum_bytes(const uint8_t* p, size_t bytes) {
    const size_t part = (bytes / 4) & ~size_t(63);
    uint64_t a[4] = {};
    for (size_t i = 0; i < part; i += 8)
        for (int j = 0; j < 4; ++j) {
            uint64_t v;
            std::memcpy(&v, p + j * part + i, 8);
            a[j] += v;
        }
    uint64_t s = a[0] + a[1] + a[2] + a[3];
    for (size_t i = 4 * part; i < bytes; ++i) s += p[i];
    return s;
}

void f32_to_f16_row(const float* x, uint16_t* out, int64_t n) {
    for (int64_t i = 0; i < n; ++i) out[i] = f32_to_f16(x[i]);
}

const KernelSet kScalar = {
    "scalar",    quantize_acts, ternary_gemm, ternary_dot_i32, f32_gemm,   f16_gemm,  dot_f32,
    dot_f16_f32, axpy_f32,      axpy_f16_f32, rmsnorm,         attend_f32, attend_f16, int8_gemm,
    "",          "",            "",           nullptr,         0,          sum_bytes,
    f32_to_f16_row, silu_detail::silu_gate, attend_rows_f32, attend_rows_f16,
};

}  // namespace

const KernelSet* scalar_kernels() { return &kScalar; }

}  // namespace tern
