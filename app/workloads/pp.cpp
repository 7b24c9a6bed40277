// `pp` (llama-bench's ppN): one batch of n_prompt random tokens evaluated at once.
#include <random>

#include "app/workloads/llama_bench_style.h"
#include "engine/runtime/session.h"

namespace bench {

void run_pp(WorkloadContext& ctx) {
    const int n = ctx.spec.n_prompt;
    const int32_t n_vocab = ctx.model->tokenizer().n_vocab();
    run_llama_bench_style(ctx, "prefill_tok_s", n, [n, n_vocab](tern::Session& s, uint64_t seed) {
        std::mt19937_64 rng(seed);
        std::uniform_int_distribution<int32_t> id(0, n_vocab - 1);
        std::vector<int32_t> tokens(n);
        for (auto& t : tokens) t = id(rng);
        s.eval(tokens);
    });
}

}  // namespace bench
