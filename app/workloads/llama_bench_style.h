#pragma once
// pp / tg the way llama-bench measures them: random token ids, no sampling, a fresh KV cache
// per repetition; tok/s per repetition, reported as mean +- stddev (and median) of those rates.
#include <functional>

#include "app/workloads/workload.h"

namespace tern { class Session; }

namespace bench {

// `timed(session, rng_seed)` runs one repetition's work. `before_timed`, when given, runs
// before the clock starts of every timed (not warm-up) repetition.
void run_llama_bench_style(WorkloadContext& ctx, const std::string& metric_alias, int n_tokens,
                           const std::function<void(tern::Session&, uint64_t)>& timed,
                           const std::function<void()>& before_timed = {});

}  // namespace bench
