#pragma once
// Kernel micro-benchmark behind `ternbench run --workload kernel`: times the ternary GEMV/GEMM
// of every requested kernel set on given matrix shapes, and measures the machine's streaming
// read bandwidth so results can be put against the memory roofline (weights are 2 bits each).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tern {

// y[M x N] = x[M x K] * W[N x K]^T: N output features, K inputs (multiple of 128), M tokens.
struct KernelShape {
    int64_t n = 0, k = 0, m = 1;
};

struct KernelBenchResult {
    std::string kernel;          // kernel set name ("scalar", "avx2", ...)
    std::string family;          // instruction family its product multiplies with at this M ("" scalar)
    int64_t n = 0, k = 0, m = 0;
    int threads = 1;
    int repetitions = 0;
    double median_seconds = 0;   // one full product (all N rows, all M tokens)
    double min_seconds = 0;
    // Process CPU time per product / threads (median). Equals median_seconds on an idle machine;
    // lower when other processes take the CPUs (then wall-clock figures understate the kernel).
    double median_cpu_seconds = 0;
    double gops = 0;             // 2*N*K*M / median_seconds / 1e9
    int64_t weight_bytes = 0;    // TernaryMatrix bytes one product reads: codes + scales
    double weight_gbs = 0;       // weight_bytes / median_seconds / 1e9
    int64_t quantize_ns = 0;     // not included above: activation quantization of M tokens
    int64_t products_per_repetition = 1;  // products one timed repetition ran (times are per product)
};

struct KernelBenchOptions {
    std::vector<KernelShape> shapes;
    std::vector<std::string> kernels;  // names for select_kernels(); empty = every available set
    int threads = 1;                   // compute threads (a persistent pool), >= 1
    int repetitions = 5;               // timed repetitions per (kernel, shape), median reported
    // Weights are spread over enough copies of the matrix to total at least this many bytes,
    // and consecutive runs use different copies, so decode-shaped products read their weights
    // from DRAM like a real model does instead of from a warm cache. Default 128 MiB.
    int64_t min_weight_bytes = int64_t(128) << 20;
    // A compute-bound product (M > 8) at the model's shapes takes about a millisecond, so one
    // product per repetition times scheduler ticks and the VM's moods as much as the kernel: each
    // repetition repeats it (on the next copies) for at least this long. Decode-shaped ones
    // (M <= 8) sweep all copies instead.
    double min_repetition_seconds = 0.05;
    uint64_t seed = 1;
    std::function<void(const KernelBenchResult&)> on_result;  // called as each result is ready
    const std::atomic<bool>* cancel = nullptr;                 // stop early (results so far)
};

// Runs every (shape, kernel) pair, shape-major (each shape's matrices are built once); within a
// shape the kernel sets take turns, one timed repetition each. Results come shape by shape, in
// the order of the sets. Throws tern::Error for an unknown kernel name, a shape with K not a
// positive multiple of 128 or a non-positive N / M, or threads < 1.
std::vector<KernelBenchResult> run_kernel_bench(const KernelBenchOptions& options);
std::vector<KernelBenchResult> run_kernel_bench(const std::vector<KernelShape>& shapes,
                                                const std::vector<std::string>& kernels, int threads,
                                                int repetitions);

// Streaming read bandwidth in GB/s (1e9 bytes/s): `threads` threads each sum their slice of a
// `bytes` buffer (make it much larger than the last-level cache); the median of `passes` timed
// passes after one warm-up pass, with the best usable kernel set's read probe. Throws tern::Error on bad
// arguments.
double measure_read_bandwidth_gbs(int threads, size_t bytes = size_t(256) << 20, int passes = 5);

// Peak int8 multiply-add rate in GOPS (2 ops per multiply-add) of one instruction family
// (engine/kernels: RoofProbe), `threads` threads each running independent chains for about
// `seconds`, the fastest of 5 passes: the compute roof of the kernels that multiply with that
// family. A roof is what the instructions can do, so the best pass, not a typical one: on a
// busy VM a median roof fell below the kernels' own medians (GEMMs "above" 100 %).
struct RoofProbe;
double measure_peak_gops(const RoofProbe& probe, int threads, double seconds = 0.2);

struct RoofPeak {
    std::string family;  // "maddubs_ymm", "vpdpbusd_zmm", ... (KernelSet::gemm_family)
    double gops = 0;
};
// The peak of every family the usable kernel sets run (roof_probes()); empty when there is no
// SIMD set (scalar only: not measurable here).
std::vector<RoofPeak> measure_compute_roofs(int threads, double seconds = 0.2);

// The highest of those peaks (0 when none is measurable): the machine's int8 roof.
double measure_int8_peak_gops(int threads, double seconds = 0.2);

}  // namespace tern
