#include "engine/model/weight_read_probe.h"

#include <algorithm>
#include <vector>

#include "engine/base/error.h"
#include "engine/bench/read_pass.h"
#include "engine/model/model.h"
#include "engine/model/weights.h"

namespace tern {

namespace {

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
    timed_read_pass(pool, spans);  // warm-up
    double best = 0;
    for (int p = 0; p < passes; ++p) {
        const double s = timed_read_pass(pool, spans);
        if (s > 0) best = std::max(best, static_cast<double>(total) / s / 1e9);
    }
    return best;
}

}  // namespace tern
