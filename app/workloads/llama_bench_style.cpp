#include "app/workloads/llama_bench_style.h"

#include <chrono>
#include <stdexcept>

#include "app/core/engine_options.h"
#include "app/metrics/metric_builder.h"
#include "app/workloads/workload_common.h"
#include "engine/runtime/session.h"

namespace bench {

void run_llama_bench_style(WorkloadContext& ctx, const std::string& metric_alias, int n_tokens,
                           const std::function<void(tern::Session&, uint64_t)>& timed,
                           const std::function<void()>& before_timed) {
    tern::Session session(ctx.model, session_options(ctx.spec, ctx.threads));
    if (n_tokens > session.n_ctx())  // fail now, not after minutes of decoding (tg) or at eval
        throw std::runtime_error(metric_alias.substr(0, metric_alias.find('_')) + " of " +
                                 std::to_string(n_tokens) + " tokens does not fit the context of " +
                                 std::to_string(session.n_ctx()) + " tokens (raise --n-ctx or lower -p/-n)");

    tbdb::SampleSeries rates{"tok_s", "tok/s", {}};
    tbdb::SampleSeries times{"duration_ms", "ms", {}};
    const int passes = ctx.spec.warmup + ctx.spec.repetitions;
    for (int pass = 0; pass < passes && !ctx.cancelled(); ++pass) {
        const bool warm = pass < ctx.spec.warmup;
        ctx.events.progress(warm ? phase_name(true, pass + 1, ctx.spec.warmup)
                                 : phase_name(false, pass - ctx.spec.warmup + 1, ctx.spec.repetitions),
                            pass, passes);
        session.reset();
        if (!warm && before_timed) before_timed();
        const auto start = std::chrono::steady_clock::now();
        timed(session, ctx.spec.seed + uint64_t(pass));
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        ctx.events.count_tokens(n_tokens);
        if (warm || ctx.cancelled()) continue;  // a cancelled repetition may be cut short
        rates.values.push_back(n_tokens / s);
        times.values.push_back(s * 1000.0);
    }
    ctx.events.progress("done", passes, passes);

    metrics::MetricBuilder mb(ctx.run.metrics);
    mb.add_summary("tok_s", rates.values, "tok/s");
    // The same figure under the name that says which phase it is (never blended).
    mb.add_summary(metric_alias, rates.values, "tok/s");
    mb.add_summary("duration_ms", times.values, "ms");
    mb.add("n_tokens", double(n_tokens), "tokens", 1);
    ctx.run.samples.push_back(std::move(rates));
    ctx.run.samples.push_back(std::move(times));
}

}  // namespace bench
