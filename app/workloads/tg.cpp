// `tg` (llama-bench's tgN): n_gen single-token decodes of random ids, no sampling.
#include <random>
#include <vector>

#include "app/workloads/decode_roof.h"
#include "app/workloads/llama_bench_style.h"
#include "engine/runtime/session.h"

namespace bench {

void run_tg(WorkloadContext& ctx) {
    const int n = ctx.spec.n_gen;
    const int32_t n_vocab = ctx.model->tokenizer().n_vocab();
    const auto* cancel = ctx.cancel;
    DecodeRoofProbe roof(ctx);
    run_llama_bench_style(
        ctx, "decode_tok_s", n,
        [n, n_vocab, cancel](tern::Session& s, uint64_t seed) {
            std::mt19937_64 rng(seed);
            std::uniform_int_distribution<int32_t> id(0, n_vocab - 1);
            for (int i = 0; i < n; ++i) {
                if (cancel && cancel->load(std::memory_order_relaxed)) return;
                const int32_t t = id(rng);
                s.eval(std::span<const int32_t>(&t, 1));
            }
        },
        [&roof] { roof.measure(); });
    std::vector<double> rates;
    for (const auto& series : ctx.run.samples)
        if (series.name == "tok_s") rates = series.values;
    roof.add_metrics(ctx, rates);
}

}  // namespace bench
