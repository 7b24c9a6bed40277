#include "engine/model/weight_read_probe.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "engine/base/error.h"
#include "engine/base/thread_pool.h"
#include "engine/kernels/kernel_set.h"
#include "engine/model/model.h"
#include "engine/model/weights.h"

namespace tern {

namespace {

struct ByteSpan {
    const uint8_t* data;
    uint64_t bytes;
};

void add_matrix(const LinearWeight& w, std::vector<ByteSpan>& out) {
    const auto bytes = [](const void* p) { return static_cast<const uint8_t*>(p); };
    const uint64_t elems = static_cast<uint64_t>(w.rows * w.cols);
    switch (w.kind) {
        case LinearWeight::Kind::Ternary:
            out.push_back({w.ternary.codes.get(), static_cast<uint64_t>(w.ternary.rows * w.ternary.row_bytes())});
            break;
        case LinearWeight::Kind::Q8: out.push_back({bytes(w.q8.q.get()), static_cast<uint64_t>(w.q8.rows * w.q8.cols)}); break;
        case LinearWeight::Kind::F32: out.push_back({bytes(w.f32), elems * sizeof(float)}); break;
        case LinearWeight::Kind::F16: out.push_back({bytes(w.f16), elems * sizeof(uint16_t)}); break;
        case LinearWeight::Kind::None: break;
    }
}

// In the order a decode step reads them.
std::vector<ByteSpan> weight_spans(const Model& model) {
    std::vector<ByteSpan> spans;
    const ModelWeights& w = model.weights();
    for (const LayerWeights& l : w.layers)
        for (const LinearWeight* m : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w_gate, &l.w_up, &l.w_down}) add_matrix(*m, spans);
    add_matrix(w.output, spans);
    std::erase_if(spans, [](const ByteSpan& s) { return s.data == nullptr || s.bytes == 0; });
    return spans;
}

}  // namespace

uint64_t weight_read_bytes(const Model& model) {
    uint64_t total = 0;
    for (const ByteSpan& s : weight_spans(model)) total += s.bytes;
    return total;
}

double measure_weight_read_gbs(const Model& model, ThreadPool& pool, int passes) {
    if (passes < 1) throw Error("weight read probe: passes must be >= 1");
    const std::vector<ByteSpan> spans = weight_spans(model);
    uint64_t total = 0;
    for (const ByteSpan& s : spans) total += s.bytes;
    if (total == 0) throw Error("weight read probe: the model has no weight matrix");
    // The widest set's probe: a scalar model's own set would measure its loop, not memory.
    const KernelSet& probe = *available_kernels().front();
    std::vector<uint64_t> sinks(static_cast<size_t>(pool.size()) * 8);  // one cache line per thread
    const auto pass = [&] {
        pool.run([&](int t, int nt) {
            uint64_t sum = 0;
            for (const ByteSpan& s : spans) {
                // Cut points on 64-byte lines, as the GEMV's rows are.
                const uint64_t lines = s.bytes / 64;
                const uint64_t b = lines * static_cast<uint64_t>(t) / static_cast<uint64_t>(nt) * 64;
                const uint64_t e = t + 1 == nt ? s.bytes : lines * static_cast<uint64_t>(t + 1) / static_cast<uint64_t>(nt) * 64;
                if (e > b) sum += probe.sum_bytes(s.data + b, e - b);
            }
            sinks[static_cast<size_t>(t) * 8] += sum;
        });
    };
    pass();
    double best = 0;
    for (int p = 0; p < passes; ++p) {
        const auto t0 = std::chrono::steady_clock::now();
        pass();
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (s > 0) best = std::max(best, static_cast<double>(total) / s / 1e9);
    }
    volatile uint64_t keep = 0;
    for (uint64_t s : sinks) keep = keep + s;  // the sums are used: no pass is optimized away
    (void)keep;
    return best;
}

}  // namespace tern
