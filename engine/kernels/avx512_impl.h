#pragma once
// AVX-512 (F/BW/VL/DQ, VNNI in one variant) kernel set: the AVX2 set's algorithms at twice the
// width. Included only by avx512.cpp (maddubs pairs) and avx512_vnni.cpp (vpdpbusd), each
// compiled with its own flags; everything here has internal linkage so the two copies never
// mix. Two 128-weight blocks share one 512-bit register (block b in the low half, b+1 in the
// high half); a group with an odd block count finishes with a 256-bit step. With VNNI,
// vpdpbusd accumulates code*q straight into int32; without it, maddubs pairs are summed in
// int16 and widened every <= 32 steps per lane (|one step| <= 512), as in avx2.cpp.
// Float outputs are bit-identical to scalar.cpp (same int32 per group, same combine order).
// The shared pieces live in avx512_common.h, the ternary products in avx512_ternary.h.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <vector>

#include "engine/kernels/avx512_common.h"
#include "engine/kernels/avx512_parts.h"
#include "engine/kernels/avx512_ternary.h"
#include "engine/kernels/int8_rows.h"
#include "engine/kernels/int8_tiles.h"
#include "engine/kernels/kernel_set.h"
#include "engine/kernels/scalar_common.h"

namespace tern {

namespace {

void quantize_acts(const float* x, int64_t m, int64_t k, int64_t ldx, QuantizedActs& out) {
    out.resize(m, k);
    const int64_t nb = k / 128;
    const __m512 lo = _mm512_set1_ps(-128.0f), hi = _mm512_set1_ps(127.0f);
    for (int64_t r = 0; r < m; ++r) {
        const float* xr = x + r * ldx;
        __m512 mx = _mm512_setzero_ps();
        for (int64_t i = 0; i < k; i += 16) mx = _mm512_max_ps(_mm512_abs_ps(_mm512_loadu_ps(xr + i)), mx);
        const float s = 127.0f / std::max(_mm512_reduce_max_ps(mx), 1e-5f);
        out.dequant[r] = 1.0f / s;
        const __m512 vs = _mm512_set1_ps(s);
        int8_t* q = out.q.get() + r * k;
        for (int64_t b = 0; b < nb; ++b) {
            __m512i bsum = _mm512_setzero_si512();
            for (int64_t c = b * 128; c < (b + 1) * 128; c += 16) {
                __m512 v = _mm512_roundscale_ps(_mm512_mul_ps(_mm512_loadu_ps(xr + c), vs),
                                                _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
                v = _mm512_min_ps(_mm512_max_ps(v, lo), hi);  // NaN -> -128 like scalar
                const __m512i iv = _mm512_cvtps_epi32(v);
                bsum = _mm512_add_epi32(bsum, iv);
                _mm_storeu_si128(reinterpret_cast<__m128i*>(q + c), _mm512_cvtsepi32_epi8(iv));
            }
            out.block_sums[r * nb + b] = _mm512_reduce_add_epi32(bsum);
        }
    }
}

// ---- float kernels (masked tails) ---------------------------------------------------------

inline __mmask16 tail_mask(int64_t left) { return static_cast<__mmask16>((1u << left) - 1u); }
inline __m512 load16(const float* p, __mmask16 mk) { return _mm512_maskz_loadu_ps(mk, p); }
inline __m512 load16(const uint16_t* p, __mmask16 mk) {
    return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(mk, p));
}

template <class W>
float dot_any(const W* a, const float* b, int64_t n) {
    __m512 acc = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) acc = _mm512_fmadd_ps(load16(a + i, 0xFFFF), _mm512_loadu_ps(b + i), acc);
    if (i < n) {
        const __mmask16 mk = tail_mask(n - i);
        acc = _mm512_fmadd_ps(load16(a + i, mk), _mm512_maskz_loadu_ps(mk, b + i), acc);
    }
    return _mm512_reduce_add_ps(acc);
}
float dot_f32(const float* a, const float* b, int64_t n) { return dot_any(a, b, n); }
float dot_f16_f32(const uint16_t* a, const float* b, int64_t n) { return dot_any(a, b, n); }

template <class W>
void float_gemm(const W* w, int64_t n0, int64_t n1, const float* x, int64_t m, int64_t k, float* y, int64_t ldy) {
    int64_t n = n0;
    for (; n + 4 <= n1; n += 4) {
        const W* r[4] = {w + n * k, w + (n + 1) * k, w + (n + 2) * k, w + (n + 3) * k};
        for (int64_t t = 0; t < m; ++t) {
            const float* xt = x + t * k;
            __m512 a[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
            for (int64_t i = 0; i < k; i += 16) {
                const __mmask16 mk = k - i >= 16 ? __mmask16(0xFFFF) : tail_mask(k - i);
                const __m512 xv = _mm512_maskz_loadu_ps(mk, xt + i);
                for (int j = 0; j < 4; ++j) a[j] = _mm512_fmadd_ps(load16(r[j] + i, mk), xv, a[j]);
            }
            for (int j = 0; j < 4; ++j) y[t * ldy + n + j] = _mm512_reduce_add_ps(a[j]);
        }
    }
    for (; n < n1; ++n)
        for (int64_t t = 0; t < m; ++t) y[t * ldy + n] = dot_any(w + n * k, x + t * k, k);
}
void f32_gemm(const float* w, int64_t n0, int64_t n1, const float* x, int64_t m, int64_t k, float* y, int64_t ldy) {
    float_gemm(w, n0, n1, x, m, k, y, ldy);
}
void f16_gemm(const uint16_t* w, int64_t n0, int64_t n1, const float* x, int64_t m, int64_t k, float* y,
              int64_t ldy) {
    float_gemm(w, n0, n1, x, m, k, y, ldy);
}

template <class W>
void axpy_any(float a, const W* x, float* y, int64_t n) {
    const __m512 va = _mm512_set1_ps(a);
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 mk = n - i >= 16 ? __mmask16(0xFFFF) : tail_mask(n - i);
        _mm512_mask_storeu_ps(y + i, mk, _mm512_fmadd_ps(va, load16(x + i, mk), _mm512_maskz_loadu_ps(mk, y + i)));
    }
}
void axpy_f32(float a, const float* x, float* y, int64_t n) { axpy_any(a, x, y, n); }
void axpy_f16_f32(float a, const uint16_t* x, float* y, int64_t n) { axpy_any(a, x, y, n); }

void rmsnorm(const float* x, const float* w, int64_t n, float eps, float* out) {
    __m512d acc = _mm512_setzero_pd();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m512d v = _mm512_cvtps_pd(_mm256_loadu_ps(x + i));
        acc = _mm512_fmadd_pd(v, v, acc);
    }
    double ss = _mm512_reduce_add_pd(acc);
    for (; i < n; ++i) ss += static_cast<double>(x[i]) * x[i];
    const float scale = scalar_detail::rms_scale(ss, n, eps);
    const __m512 vs = _mm512_set1_ps(scale);
    for (i = 0; i < n; i += 16) {
        const __mmask16 mk = n - i >= 16 ? __mmask16(0xFFFF) : tail_mask(n - i);
        __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(mk, x + i), vs);
        if (w) v = _mm512_mul_ps(v, _mm512_maskz_loadu_ps(mk, w + i));
        _mm512_mask_storeu_ps(out + i, mk, v);
    }
}


// Round to nearest even like float_codecs' f32_to_f16 (checked bit for bit in test_kernels).
void f32_to_f16_row(const float* x, uint16_t* out, int64_t n) {
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 mk = n - i >= 16 ? __mmask16(0xFFFF) : tail_mask(n - i);
        _mm256_mask_storeu_epi16(out + i, mk,
                                 _mm512_cvtps_ph(_mm512_maskz_loadu_ps(mk, x + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    }
}

// ---- int8 rows (the output head), VNNI only --------------------------------------------

// vpdpbusd multiplies unsigned by signed bytes, so the head's signed weights w in [-127, 127]
// go in as u = w + 128 (= w ^ 0x80) and the excess 128 * sum_k a[k] of each token is taken
// off once: sum u*a - 128*sum a = sum w*a, exact in int32 (|sum u*a| <= 255*128*k).
inline int32_t token_sum(const QuantizedActs& x, int64_t m) {
    const int8_t* a = x.row(m);
    __m512i acc = _mm512_setzero_si512();
    for (int64_t i = 0; i < x.cols; i += 64) {
        const __mmask64 mk = x.cols - i >= 64 ? ~__mmask64(0) : (~uint64_t(0)) >> (64 - (x.cols - i));
        acc = _mm512_dpbusd_epi32(acc, _mm512_set1_epi8(1), _mm512_maskz_loadu_epi8(mk, a + i));
    }
    return hsum_i32(acc);
}

// R rows x T tokens (int8_tiles.h): each 64 bytes of a row are loaded once for all T tokens,
// each token's once for all R rows; rows prefetched into L2 like the decode GEMVs.
template <int R, int T>
struct DotTileVnni {
    static void run(const int8_t* const* w, const int8_t* const* a, int64_t k, int32_t* out) {
        const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
        __m512i acc[R * T];
        for (int i = 0; i < R * T; ++i) acc[i] = _mm512_setzero_si512();
        int64_t i = 0;
        for (; i + 64 <= k; i += 64) {
            __m512i av[T];
            for (int j = 0; j < T; ++j) av[j] = load512(a[j] + i);
#pragma GCC unroll 4
            for (int r = 0; r < R; ++r) {
                _mm_prefetch(reinterpret_cast<const char*>(w[r] + i + kPrefetchBytes), _MM_HINT_T1);
                const __m512i u = _mm512_xor_si512(load512(w[r] + i), flip);
                for (int j = 0; j < T; ++j) acc[r * T + j] = _mm512_dpbusd_epi32(acc[r * T + j], u, av[j]);
            }
        }
        if (i < k) {  // k % 64 == 32 (k is a multiple of 128 only in practice; kept exact anyway)
            const __mmask64 mk = (~uint64_t(0)) >> (64 - (k - i));
            for (int r = 0; r < R; ++r) {
                const __m512i u = _mm512_xor_si512(_mm512_maskz_loadu_epi8(mk, w[r] + i), flip);
                for (int j = 0; j < T; ++j)
                    acc[r * T + j] = _mm512_dpbusd_epi32(acc[r * T + j], u, _mm512_maskz_loadu_epi8(mk, a[j] + i));
            }
        }
        for (int c = 0; c < R * T; ++c) out[c] = hsum_i32(acc[c]);
    }
};

template <int = 0>  // a template: not emitted (nor warned about) in the file without VNNI
void int8_gemm_vnni(const int8_t* w, const float* row_scale, int64_t n0, int64_t n1, const QuantizedActs& x,
                    float* y, int64_t ldy) {
    thread_local std::vector<int32_t> excess;
    excess.resize(static_cast<size_t>(x.rows));
    for (int64_t m = 0; m < x.rows; ++m) excess[static_cast<size_t>(m)] = 128 * token_sum(x, m);
    // Four row streams (the decode GEMV's count) x blocks of 4 tokens: 16 accumulators. Before,
    // a batch took one row at a time against 8 tokens (padded when fewer), so a head of 2-4
    // tokens cost as much as one of 8, and one row stream read DRAM at half the rate (harness,
    // 32000 x 2048, 2 threads: M = 2 4.3 -> 2.4 ms, M = 4 3.6 -> 2.1, M = 8 4.7 -> 2.3,
    // M = 64 25.7 -> 14.5).
    int8_tiles::gemm<DotTileVnni, kGemvStreams, 4>(w, row_scale, n0, n1, x, excess.data(), y, ldy);
}

// ---- roof probes -------------------------------------------------------------------------

// Four far-apart streams in lockstep, as the decode GEMV reads its rows (kGemvStreams).
uint64_t sum_bytes(const uint8_t* p, size_t bytes) {
    const size_t part = (bytes / 4) & ~size_t(63);
    __m512i a[4] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()};
    for (size_t i = 0; i < part; i += 64)
        for (int j = 0; j < 4; ++j) a[j] = _mm512_add_epi64(a[j], load512(p + j * part + i));
    // Lanes summed as unsigned: the words wrap by design, and GCC's _mm512_reduce_add_epi64
    // adds them as signed (undefined on overflow, which UBSan reports).
    alignas(64) uint64_t lanes[8];
    _mm512_store_si512(lanes, _mm512_add_epi64(_mm512_add_epi64(a[0], a[1]), _mm512_add_epi64(a[2], a[3])));
    uint64_t sum = 0;
    for (uint64_t v : lanes) sum += v;
    for (size_t i = 4 * part; i < bytes; ++i) sum += p[i];
    return sum;
}

// Eight independent vpmaddubsw + vpaddw chains at 512 bits (the non-VNNI set's inner pair).
__attribute__((noinline)) inline int64_t maddubs_zmm(int64_t iterations) {
    const int64_t done = iterations * 8 * 64;
#define TERN_PAIR(t, acc) "vpmaddubsw %%zmm0, %%zmm1, %%zmm" #t "\n vpaddw %%zmm" #t ", %%zmm" #acc ", %%zmm" #acc "\n"
    __asm__ volatile(
        "vpxord %%zmm0, %%zmm0, %%zmm0\n vpxord %%zmm1, %%zmm1, %%zmm1\n"
        "1:\n" TERN_PAIR(2, 10) TERN_PAIR(3, 11) TERN_PAIR(4, 12) TERN_PAIR(5, 13) TERN_PAIR(6, 14)
        TERN_PAIR(7, 15) TERN_PAIR(8, 16) TERN_PAIR(9, 17)
        "dec %0\n jnz 1b\n vzeroupper\n"
        : "+r"(iterations)
        :
        : "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
          "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17");
#undef TERN_PAIR
    return done;
}

// Twelve independent vpdpbusd chains, 256 or 512 bits (the VNNI set's multiply-add).
#define TERN_DP(r, acc) "vpdpbusd %%" r "0, %%" r "1, %%" r #acc "\n"
#define TERN_DP12(r)                                                                                  \
    TERN_DP(r, 10) TERN_DP(r, 11) TERN_DP(r, 12) TERN_DP(r, 13) TERN_DP(r, 14) TERN_DP(r, 15) TERN_DP(r, 16) \
    TERN_DP(r, 17) TERN_DP(r, 18) TERN_DP(r, 19) TERN_DP(r, 20) TERN_DP(r, 21)
#define TERN_DP_CLOBBERS                                                                              \
    "cc", "xmm0", "xmm1", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17", "xmm18", \
        "xmm19", "xmm20", "xmm21"
template <int = 0>  // templates: emitted only in the VNNI file
__attribute__((noinline)) int64_t vpdpbusd_ymm(int64_t iterations) {
    const int64_t done = iterations * 12 * 32;
    __asm__ volatile("vpxord %%zmm0, %%zmm0, %%zmm0\n vpxord %%zmm1, %%zmm1, %%zmm1\n"
                     "1:\n" TERN_DP12("ymm") "dec %0\n jnz 1b\n vzeroupper\n"
                     : "+r"(iterations)
                     :
                     : TERN_DP_CLOBBERS);
    return done;
}
template <int = 0>
__attribute__((noinline)) int64_t vpdpbusd_zmm(int64_t iterations) {
    const int64_t done = iterations * 12 * 64;
    __asm__ volatile("vpxord %%zmm0, %%zmm0, %%zmm0\n vpxord %%zmm1, %%zmm1, %%zmm1\n"
                     "1:\n" TERN_DP12("zmm") "dec %0\n jnz 1b\n vzeroupper\n"
                     : "+r"(iterations)
                     :
                     : TERN_DP_CLOBBERS);
    return done;
}
#undef TERN_DP
#undef TERN_DP12
#undef TERN_DP_CLOBBERS

template <bool kVnni>
struct Probes;
template <>
struct Probes<false> {
    static constexpr RoofProbe list[] = {{"maddubs_zmm", maddubs_zmm}};
};
template <>
struct Probes<true> {
    static constexpr RoofProbe list[] = {{"vpdpbusd_zmm", vpdpbusd_zmm<>}, {"vpdpbusd_ymm", vpdpbusd_ymm<>}};
};

// The VNNI head in the VNNI variant only (a discarded branch is not instantiated, so the
// file built without -mavx512vnni never holds a vpdpbusd).
template <bool kVnni>
constexpr auto int8_gemm_for() {
    if constexpr (kVnni) return int8_gemm_vnni<>;
    else return avx2_int8_gemm;
}

// Constant-initialized (no code runs to build it: dispatch looks at these tables on CPUs that
// cannot execute this file's instructions).
template <bool kVnni>
constexpr KernelSet make_set(const char* isa) {
    return KernelSet{"avx512",    quantize_acts, ternary_gemm<kVnni>, ternary_dot_i32<kVnni>, f32_gemm,
                     f16_gemm,    dot_f32,       dot_f16_f32,         axpy_f32,               axpy_f16_f32,
                     rmsnorm,     avx512::attend_f32, avx512::attend_f16, int8_gemm_for<kVnni>(), isa,
                     Probes<kVnni>::list[0].family, Probes<kVnni>::list[0].family, Probes<kVnni>::list,
                     static_cast<int>(std::size(Probes<kVnni>::list)), sum_bytes, f32_to_f16_row,
                     avx512::silu_gate, avx512::attend_rows_f32, avx512::attend_rows_f16};
}

}  // namespace

}  // namespace tern
