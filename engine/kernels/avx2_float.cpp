// AVX2 float kernels: float-weight products (F32/F16 files), dot/axpy, RMS norm, F16 stores.
#include "engine/kernels/avx2_common.h"
#include "engine/kernels/avx2_parts.h"

namespace tern::avx2 {

float dot_f32(const float* a, const float* b, int64_t n) { return dot_any(a, b, n); }
float dot_f16_f32(const uint16_t* a, const float* b, int64_t n) { return dot_any(a, b, n); }

// Four weight rows per pass share each activation load; tokens loop inside the row tile so
// the tile stays in cache while every token uses it.
template <class W>
void float_gemm(const W* w, int64_t n0, int64_t n1, const float* x, int64_t m, int64_t k, float* y, int64_t ldy) {
    int64_t n = n0;
    for (; n + 4 <= n1; n += 4) {
        const W* r0 = w + n * k;
        const W *r1 = r0 + k, *r2 = r1 + k, *r3 = r2 + k;
        for (int64_t t = 0; t < m; ++t) {
            const float* xt = x + t * k;
            __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
            int64_t i = 0;
            for (; i + 8 <= k; i += 8) {
                const __m256 xv = _mm256_loadu_ps(xt + i);
                a0 = _mm256_fmadd_ps(load8(r0 + i), xv, a0);
                a1 = _mm256_fmadd_ps(load8(r1 + i), xv, a1);
                a2 = _mm256_fmadd_ps(load8(r2 + i), xv, a2);
                a3 = _mm256_fmadd_ps(load8(r3 + i), xv, a3);
            }
            float s0 = hsum_f32(a0), s1 = hsum_f32(a1), s2 = hsum_f32(a2), s3 = hsum_f32(a3);
            for (; i < k; ++i) {
                s0 += load1(r0 + i) * xt[i];
                s1 += load1(r1 + i) * xt[i];
                s2 += load1(r2 + i) * xt[i];
                s3 += load1(r3 + i) * xt[i];
            }
            float* yt = y + t * ldy + n;
            yt[0] = s0, yt[1] = s1, yt[2] = s2, yt[3] = s3;
        }
    }
    for (; n < n1; ++n)
        for (int64_t t = 0; t < m; ++t) y[t * ldy + n] = dot_any(w + n * k, x + t * k, k);
}

void f32_gemm(const float* w, int64_t n0, int64_t n1, const float* x, int64_t m, int64_t k, float* y,
              int64_t ldy) {
    float_gemm(w, n0, n1, x, m, k, y, ldy);
}
void f16_gemm(const uint16_t* w, int64_t n0, int64_t n1, const float* x, int64_t m, int64_t k, float* y,
              int64_t ldy) {
    float_gemm(w, n0, n1, x, m, k, y, ldy);
}

void axpy_f32(float a, const float* x, float* y, int64_t n) { axpy_any(a, x, y, n); }
void axpy_f16_f32(float a, const uint16_t* x, float* y, int64_t n) { axpy_any(a, x, y, n); }

void rmsnorm(const float* x, const float* w, int64_t n, float eps, float* out) {
    // Sum of squares in double like the reference, four lanes at a time.
    __m256d acc = _mm256_setzero_pd();
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const __m256d v = _mm256_cvtps_pd(_mm_loadu_ps(x + i));
        acc = _mm256_fmadd_pd(v, v, acc);
    }
    alignas(32) double lanes[4];
    _mm256_store_pd(lanes, acc);
    double ss = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    for (; i < n; ++i) ss += static_cast<double>(x[i]) * x[i];
    const float scale = scalar_detail::rms_scale(ss, n, eps);
    const __m256 vs = _mm256_set1_ps(scale);
    i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_mul_ps(_mm256_loadu_ps(x + i), vs);
        if (w) v = _mm256_mul_ps(v, _mm256_loadu_ps(w + i));
        _mm256_storeu_ps(out + i, v);
    }
    for (; i < n; ++i) out[i] = w ? (x[i] * scale) * w[i] : x[i] * scale;
}

// Round to nearest even like float_codecs' f32_to_f16 (F16C does the same for every input,
// NaN payloads included; tests/engine/test_kernels checks it bit for bit).
void f32_to_f16_row(const float* x, uint16_t* out, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i),
                         _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    for (; i < n; ++i) out[i] = f32_to_f16(x[i]);
}

}  // namespace tern::avx2
