#include "engine/bench/kernel_bench.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <limits>
#include <random>

#include "engine/kernels/kernel_set.h"
#include "engine/base/error.h"
#include "engine/base/thread_pool.h"
#include "engine/bench/read_pass.h"

namespace tern {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

double process_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void validate(const KernelShape& s) {
    if (s.n <= 0 || s.m <= 0 || s.k <= 0 || s.k % 128 != 0)
        throw Error("kernel bench: shape N=" + std::to_string(s.n) + " K=" + std::to_string(s.k) +
                    " M=" + std::to_string(s.m) + " is invalid (N, M > 0; K a positive multiple of 128)");
}

// Random ternary codes (0..2 in every 2-bit field), unit scales: the kernels' speed does not
// depend on the values, but real-looking data keeps branch-free paths honest.
TernaryMatrix random_matrix(const KernelShape& s, std::mt19937_64& rng) {
    TernaryMatrix w = make_ternary_matrix(s.n, s.k, s.k);
    uint8_t table[81];
    for (int i = 0; i < 81; ++i)
        table[i] = static_cast<uint8_t>((i % 3) | ((i / 3 % 3) << 2) | ((i / 9 % 3) << 4) | ((i / 27) << 6));
    const int64_t bytes = s.n * s.k / 4;
    for (int64_t i = 0; i < bytes; ++i) w.codes[i] = table[rng() % 81];
    std::fill(w.scales.begin(), w.scales.end(), 1.0f);
    return w;
}

// One product split over the pool in tiles of 8 rows (keeps SIMD row tiles whole).
void run_product(ThreadPool& pool, const KernelSet& ks, const TernaryMatrix& w, const QuantizedActs& x,
                 float* y) {
    pool.parallel_for(w.rows, 8, [&](int64_t b, int64_t e) { ks.ternary_gemm(w, b, e, x, y, w.rows); });
}

}  // namespace

std::vector<KernelBenchResult> run_kernel_bench(const KernelBenchOptions& opt) {
    if (opt.threads < 1) throw Error("kernel bench: threads must be >= 1");
    if (opt.repetitions < 1) throw Error("kernel bench: repetitions must be >= 1");
    for (const KernelShape& s : opt.shapes) validate(s);
    std::vector<const KernelSet*> sets;
    if (opt.kernels.empty()) sets = available_kernels();
    for (const std::string& name : opt.kernels) sets.push_back(&select_kernels(name));

    ThreadPool pool(opt.threads);
    std::mt19937_64 rng(opt.seed);
    std::vector<KernelBenchResult> results;
    for (const KernelShape& s : opt.shapes) {
        // One random matrix, copied: the copies only need distinct addresses, not contents.
        const int64_t matrix_bytes = s.n * s.k / 4 + s.n * static_cast<int64_t>(sizeof(float));
        const int64_t copies = std::clamp<int64_t>((opt.min_weight_bytes + matrix_bytes - 1) / matrix_bytes, 1, 4096);
        std::vector<TernaryMatrix> mats;
        mats.reserve(static_cast<size_t>(copies));
        mats.push_back(random_matrix(s, rng));
        for (int64_t c = 1; c < copies; ++c) {
            TernaryMatrix w = make_ternary_matrix(s.n, s.k, s.k);
            std::memcpy(w.codes.get(), mats[0].codes.get(), static_cast<size_t>(s.n * s.k / 4));
            w.scales = mats[0].scales;
            mats.push_back(std::move(w));
        }
        // Every set of this shape gets its activations, a warm-up and its own far-apart run of
        // copies (so no set reads weights another one has just brought into the cache).
        struct SetRun {
            const KernelSet* ks;
            QuantizedActs x;
            std::vector<float> y;
            double quant_s = 0;
            int64_t next = 0;
            int64_t per_repetition = 1;  // products per timed repetition
            std::vector<double> times, cpu_times;
        };
        std::vector<SetRun> runs;
        for (const KernelSet* ks : sets) {
            std::normal_distribution<float> nd(0.0f, 1.0f);
            std::vector<float> xf(static_cast<size_t>(s.m * s.k));
            for (float& v : xf) v = nd(rng);
            SetRun run{ks, {}, std::vector<float>(static_cast<size_t>(s.m * s.n)), 0, 0, 1, {}, {}};
            const auto tq = Clock::now();
            ks->quantize_acts(xf.data(), s.m, s.k, s.k, run.x);
            run.quant_s = seconds_since(tq);
            run.next = copies * static_cast<int64_t>(runs.size()) / static_cast<int64_t>(sets.size());
            runs.push_back(std::move(run));
        }
        // Memory-bound shapes (few tokens) sweep all copies per repetition so the time is a
        // sustained streaming rate; compute-bound ones repeat on the next copies for at least
        // min_repetition_seconds (the count taken from the warm-up's time).
        const bool sweep = s.m <= 8;
        auto time_one = [&](SetRun& run) {
            const int64_t count = run.per_repetition;
            const double c0 = process_cpu_seconds();
            const auto t0 = Clock::now();
            for (int64_t i = 0; i < count; ++i) {
                run_product(pool, *run.ks, mats[static_cast<size_t>(run.next)], run.x, run.y.data());
                run.next = (run.next + 1) % copies;
            }
            run.times.push_back(seconds_since(t0) / static_cast<double>(count));
            run.cpu_times.push_back((process_cpu_seconds() - c0) / static_cast<double>(count) / opt.threads);
        };
        for (SetRun& run : runs) {
            if (opt.cancel && opt.cancel->load()) return results;
            const auto tw = Clock::now();
            run_product(pool, *run.ks, mats[static_cast<size_t>(copies - 1)], run.x, run.y.data());  // warm-up
            const double one = std::max(seconds_since(tw), 1e-7);
            run.per_repetition = sweep ? copies
                                       : std::clamp<int64_t>(static_cast<int64_t>(std::ceil(opt.min_repetition_seconds / one)),
                                                             1, 1024);
        }
        // The sets take turns, one repetition each: on a shared machine a slow minute then falls
        // on every set alike instead of on whichever ran during it.
        for (int r = 0; r < opt.repetitions; ++r)
            for (SetRun& run : runs) {
                if (opt.cancel && opt.cancel->load()) return results;
                time_one(run);
            }
        for (SetRun& run : runs) {
            KernelBenchResult res;
            res.kernel = run.ks->name;
            res.family = s.m >= 16 ? run.ks->big_gemm_family : run.ks->gemm_family;
            res.n = s.n, res.k = s.k, res.m = s.m;
            res.threads = opt.threads;
            res.repetitions = opt.repetitions;
            res.median_seconds = median(run.times);
            res.min_seconds = *std::min_element(run.times.begin(), run.times.end());
            res.median_cpu_seconds = median(run.cpu_times);
            res.gops = 2.0 * double(s.n) * double(s.k) * double(s.m) / res.median_seconds / 1e9;
            res.weight_bytes = matrix_bytes;
            res.weight_gbs = double(matrix_bytes) / res.median_seconds / 1e9;
            res.quantize_ns = static_cast<int64_t>(run.quant_s * 1e9);
            res.products_per_repetition = run.per_repetition;
            if (opt.on_result) opt.on_result(res);
            results.push_back(std::move(res));
        }
    }
    return results;
}

std::vector<KernelBenchResult> run_kernel_bench(const std::vector<KernelShape>& shapes,
                                                const std::vector<std::string>& kernels, int threads,
                                                int repetitions) {
    KernelBenchOptions opt;
    opt.shapes = shapes;
    opt.kernels = kernels;
    opt.threads = threads;
    opt.repetitions = repetitions;
    return run_kernel_bench(opt);
}

double measure_read_bandwidth_gbs(int threads, size_t bytes, int passes) {
    if (threads < 1 || passes < 1 || bytes < 4096)
        throw Error("read bandwidth: need threads >= 1, passes >= 1 and at least 4096 bytes");
    bytes &= ~size_t(127);
    AlignedPtr<uint8_t> buf = make_aligned<uint8_t>(bytes);
    if (!buf) throw Error("read bandwidth: cannot allocate " + std::to_string(bytes) + " bytes");
    ThreadPool pool(threads);
    // Each thread first touches the slice it will read (first-touch page placement).
    const int64_t lines = static_cast<int64_t>(bytes / 128);
    pool.parallel_for(lines, 64, [&](int64_t b, int64_t e) {
        std::memset(buf.get() + b * 128, 0x5A, static_cast<size_t>((e - b) * 128));
    });
    const ByteSpan whole[] = {{buf.get(), bytes}};
    timed_read_pass(pool, whole);  // warm-up: page tables, TLB, frequency
    std::vector<double> times;
    for (int p = 0; p < passes; ++p) times.push_back(timed_read_pass(pool, whole));
    return double(bytes) / median(times) / 1e9;
}

double measure_peak_gops(const RoofProbe& probe, int threads, double seconds) {
    if (threads < 1 || !(seconds > 0)) throw Error("int8 peak: need threads >= 1 and a positive duration");
    ThreadPool pool(threads);
    // Calibrate one thread's pass count to the requested duration, then time all threads.
    int64_t iterations = 1 << 16;
    for (;;) {
        const auto t0 = Clock::now();
        probe.run(iterations);
        const double t = seconds_since(t0);
        if (t >= 0.02 || iterations > (int64_t(1) << 34)) {
            iterations = std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(iterations) * seconds / std::max(t, 1e-9)));
            break;
        }
        iterations *= 4;
    }
    double fastest = std::numeric_limits<double>::infinity();
    std::atomic<int64_t> macs{0};
    for (int rep = 0; rep < 5; ++rep) {
        macs = 0;
        const auto t0 = Clock::now();
        pool.run([&](int, int) { macs += probe.run(iterations); });
        fastest = std::min(fastest, seconds_since(t0));
    }
    return 2.0 * static_cast<double>(macs.load()) / fastest / 1e9;
}

std::vector<RoofPeak> measure_compute_roofs(int threads, double seconds) {
    std::vector<RoofPeak> out;
    for (const RoofProbe& p : roof_probes()) out.push_back({p.family, measure_peak_gops(p, threads, seconds)});
    return out;
}

double measure_int8_peak_gops(int threads, double seconds) {
    if (threads < 1 || !(seconds > 0)) throw Error("int8 peak: need threads >= 1 and a positive duration");
    double best = 0.0;
    for (const RoofPeak& r : measure_compute_roofs(threads, seconds)) best = std::max(best, r.gops);
    return best;
}

}  // namespace tern
