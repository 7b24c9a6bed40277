#pragma once
// One table of compute kernels per instruction set (scalar.cpp, avx2.cpp, avx512.cpp), chosen
// once at start-up by dispatch.cpp. The scalar set is the reference every other set is tested
// against: integer parts bit-for-bit, and the float steps are specified so that a faithful
// SIMD kernel gives bit-identical outputs too.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/kernels/ternary_matrix.h"

namespace tern {

// A compute-roof probe: independent chains of one instruction family on the calling thread, in
// assembly so the compiler can neither hoist nor spill them. Returns the int8 multiply-adds done.
struct RoofProbe {
    const char* family;  // "maddubs_ymm" (vpmaddubsw+vpaddw), "maddubs_zmm", "vpdpbusd_ymm", ...
    int64_t (*run)(int64_t iterations);
};

struct KernelSet {
    const char* name;  // "scalar", "avx2", "avx512"

    // Quantize M rows of K floats (row stride ldx) per token into `out` (already sized M x K).
    void (*quantize_acts)(const float* x, int64_t m, int64_t k, int64_t ldx, QuantizedActs& out);

    // Ternary x int8 product for output features [n0, n1) and every token m:
    //   acc(m,n,g) = sum_{k in group g} (code(n,k) - 1) * q(m,k)      (exact int32)
    //   y[m*ldy + n] = (sum over g in order of float(acc) * scale(n,g)) * dequant[m]
    // Float rule (what makes every set bit-identical): start from 0.0f, for each group in
    // order round p = float(acc) * scale to float, then sum = sum + p (never a fused
    // multiply-add), finally y = sum * dequant. Thread-safe; callers split [n0, n1) across
    // threads (SIMD sets work on tiles of 4 rows: split at multiples of 4, or better 8).
    // M == 1 is the decode GEMV (streams the codes once); M > 1 is the prefill / batched decode
    // GEMM: each 4-row tile's codes are unpacked once and reused for every token (the VNNI set
    // splits them in registers instead, against activations laid out in the codes' order).
    void (*ternary_gemm)(const TernaryMatrix& w, int64_t n0, int64_t n1, const QuantizedActs& x,
                         float* y, int64_t ldy);

    // Integer core, exposed for tests: sum_k (code_k - 1) * q_k over k values (k % 128 == 0)
    // of one packed row (TernaryMatrix layout).
    int32_t (*ternary_dot_i32)(const uint8_t* codes, const int8_t* q, int64_t k);

    // Float weights (F32 / F16 files are the float reference): y[m*ldy+n] = dot(w[n], x[m]).
    void (*f32_gemm)(const float* w, int64_t n0, int64_t n1, const float* x, int64_t m, int64_t k,
                     float* y, int64_t ldy);
    void (*f16_gemm)(const uint16_t* w, int64_t n0, int64_t n1, const float* x, int64_t m,
                     int64_t k, float* y, int64_t ldy);

    // Vector helpers for norms, attention and gating.
    float (*dot_f32)(const float* a, const float* b, int64_t n);
    float (*dot_f16_f32)(const uint16_t* a, const float* b, int64_t n);
    void (*axpy_f32)(float a, const float* x, float* y, int64_t n);          // y += a*x
    void (*axpy_f16_f32)(float a, const uint16_t* x, float* y, int64_t n);   // y += a*x
    void (*rmsnorm)(const float* x, const float* w, int64_t n, float eps, float* out);

    // Softmax attention of one query row over n >= 1 key/value rows of one head (hd values each,
    // float or F16 bits): out = sum_j softmax_j(scale * q.k_j) v_j. `scores` holds n floats of
    // scratch. Float results may differ between sets in the last bits (summation order, exp).
    void (*attend_f32)(const float* q, const float* keys, const float* values, int64_t n, int64_t hd,
                       float scale, float* scores, float* out);
    void (*attend_f16)(const float* q, const uint16_t* keys, const uint16_t* values, int64_t n, int64_t hd,
                       float scale, float* scores, float* out);

    // Int8 rows (the re-quantized output head, row n at w + n * x.cols, values in [-127, 127])
    // times the int8 activations, for rows [n0, n1) and every token m:
    //   y[m*ldy + n] = float(sum_k w[n][k] * q[m][k]) * row_scale[n] * dequant[m]
    // (exact int32 sum; the two float products rounded left to right: bit-identical in every set).
    void (*int8_gemm)(const int8_t* w, const float* row_scale, int64_t n0, int64_t n1, const QuantizedActs& x,
                      float* y, int64_t ldy);

    // The instruction-set extensions this set's source files are compiled with, comma-separated
    // ("avx2,fma,f16c,bmi2"; "" for scalar). Set from the build's own -m flags (engine/CMakeLists.txt),
    // so dispatch hands a set out only when the CPU and OS support every one of them.
    const char* isa;

    // Roofs. The instruction family the ternary GEMM multiplies with for 1 < M < 16 and for
    // M >= 16 (a RoofProbe family; "" = not probed, scalar), so the `kernel` workload puts each
    // kernel against the peak of the instructions it really runs.
    const char* gemm_family;
    const char* big_gemm_family;
    // The probes of the families this set's files can run (n_probes of them).
    const RoofProbe* probes;
    int n_probes;
    // Read-bandwidth probe: sum of `bytes` bytes read as four far-apart concurrent streams, like
    // the decode GEMV reads its rows (kGemvStreams in avx2.cpp).
    uint64_t (*sum_bytes)(const uint8_t* p, size_t bytes);

    // n floats to F16 bits, rounded to nearest even (float_codecs' f32_to_f16, bit for bit):
    // the F16 KV cache's stores.
    void (*f32_to_f16_row)(const float* x, uint16_t* out, int64_t n);

    // The FFN gate g[i] = SiLU(g[i]) * u[i] (silu_gate.h): the same bits in every set, each at
    // its own vector width.
    void (*silu_gate)(float* g, const float* u, int64_t n);

    // Prefill's causal rows: `rows` query rows of one head, row i (q + i * ldq, out + i * ldo)
    // attending to the first n + i keys, with the bits this set's attend_* gives each row alone
    // (so prefill equals decode), while reading each key and value row once for several query
    // rows. `scores` holds 4 * (n + rows) floats of scratch.
    void (*attend_rows_f32)(const float* q, int64_t ldq, int64_t rows, const float* keys, const float* values,
                            int64_t n, int64_t hd, float scale, float* scores, float* out, int64_t ldo);
    void (*attend_rows_f16)(const float* q, int64_t ldq, int64_t rows, const uint16_t* keys,
                            const uint16_t* values, int64_t n, int64_t hd, float scale, float* scores, float* out,
                            int64_t ldo);
};

// CPU features detected at run time (cpuid + xgetbv on x86; NEON on aarch64). A feature whose
// register state the OS does not save (XCR0) counts as absent.
struct CpuFeatures {
    bool avx2 = false, fma = false, f16c = false, bmi2 = false;
    bool avx512f = false, avx512bw = false, avx512vl = false, avx512dq = false, avx512vnni = false;
    bool avx_vnni = false;
    bool amx_tile = false, amx_int8 = false, amx_bf16 = false;  // tile state enabled in XCR0 too
    bool neon = false;
    std::string brand;  // CPU model string
};
const CpuFeatures& cpu_features();
std::string cpu_features_string(const CpuFeatures& f);  // "AVX2 FMA F16C ..."
// Whether `f` has every extension of an `isa` list (KernelSet::isa); an unknown name counts as
// missing, so a new compile flag without a check here disables the set instead of crashing.
bool cpu_supports_isa(const CpuFeatures& f, std::string_view isa);

// Every roof probe this CPU can run (one per family), from the usable kernel sets.
std::vector<RoofProbe> roof_probes();

// Kernel sets compiled in and usable on this CPU, best first; "scalar" is always there.
std::vector<const KernelSet*> available_kernels();
// Every compiled-in set this CPU can run, including the variant available_kernels() hides behind
// a shared name (AVX-512 with and without VNNI), scalar last: what the tests compare.
std::vector<const KernelSet*> usable_kernel_variants();
// "auto" (or "") picks the best available, unless env TERNBENCH_KERNEL names a set; a name not
// available throws tern::Error listing the choices.
const KernelSet& select_kernels(std::string_view name);

// The per-ISA tables (nullptr when not compiled in). Each lives in its own source file.
const KernelSet* scalar_kernels();
const KernelSet* avx2_kernels();
const KernelSet* avx512_kernels();       // AVX-512 F/BW/VL/DQ, maddubs pairs
const KernelSet* avx512_vnni_kernels();  // the same algorithms with vpdpbusd
// The AVX-512 VNNI set with its ternary GEMM for M >= 16 on AMX-INT8 tiles (composed in
// dispatch.cpp from amx.cpp's parts); usable only where Linux grants the tile state.
const KernelSet* amx_kernels();

}  // namespace tern
