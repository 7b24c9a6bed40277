#include "engine/bench/read_pass.h"

#include <chrono>
#include <vector>

#include "engine/base/thread_pool.h"
#include "engine/kernels/kernel_set.h"

namespace tern {

double timed_read_pass(ThreadPool& pool, std::span<const ByteSpan> regions) {
    // The widest set's probe: a scalar set's own loop would measure itself, not memory.
    static const KernelSet* best = available_kernels().front();
    std::vector<uint64_t> sinks(static_cast<size_t>(pool.size()) * 8);  // one cache line per thread
    const auto t0 = std::chrono::steady_clock::now();
    pool.run([&](int t, int nt) {
        uint64_t sum = 0;
        for (const ByteSpan& r : regions) {
            const uint64_t lines = r.bytes / 64;
            const uint64_t b = lines * static_cast<uint64_t>(t) / static_cast<uint64_t>(nt) * 64;
            const uint64_t e = t + 1 == nt ? r.bytes : lines * static_cast<uint64_t>(t + 1) / static_cast<uint64_t>(nt) * 64;
            if (e > b) sum += best->sum_bytes(r.data + b, e - b);
        }
        sinks[static_cast<size_t>(t) * 8] = sum;
    });
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    volatile uint64_t keep = 0;
    for (uint64_t s : sinks) keep = keep + s;
    (void)keep;
    return seconds;
}

}  // namespace tern
