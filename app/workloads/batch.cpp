// `batch`: K requests submitted at once to the continuous-batching Scheduler (MLPerf Offline):
// total output tok/s and makespan per repetition, per-request latency percentiles.
#include <stdexcept>

#include "app/core/engine_options.h"
#include "app/metrics/metric_builder.h"
#include "app/metrics/request_metrics.h"
#include "app/workloads/request_tracker.h"
#include "app/workloads/workload_common.h"

namespace bench {
namespace {

void run_batch_passes(WorkloadContext& ctx, RequestSink& scheduler) {
    const auto prompts = tokenize_prompts(ctx);
    const int k = ctx.spec.concurrency;
    const int passes = ctx.spec.warmup + ctx.spec.repetitions;
    uint64_t seq = 0;
    int index = 0;
    for (int pass = 0; pass < passes; ++pass) {
        if (ctx.cancelled()) return;
        const bool warm = pass < ctx.spec.warmup;
        const int rep = pass - ctx.spec.warmup;
        ctx.events.progress(warm ? phase_name(true, pass + 1, ctx.spec.warmup)
                                 : phase_name(false, rep + 1, ctx.spec.repetitions),
                            pass, passes);
        RequestTracker tracker(scheduler);
        for (int i = 0; i < k; ++i)
            tracker.submit(prompts[i % prompts.size()], generation_params(ctx, seq++),
                           [&](const tern::TokenEvent&) { ctx.events.count_tokens(1); });
        const bool cancelled = tracker.wait_all(ctx.cancel);
        if (warm) continue;
        // A cancelled pass is incomplete: its makespan would not be one of K requests.
        if (cancelled) return;
        keep_results(ctx, tracker.results(), index, rep);
    }
    ctx.events.progress("done", passes, passes);
}

}  // namespace

void run_batch(WorkloadContext& ctx) {
    const auto sink = open_request_sink(ctx, scheduler_options(ctx.spec, ctx.threads, ctx.spec.concurrency));
    run_batch_passes(ctx, *sink);
    add_latency_metrics(ctx, /*with_itl=*/false);
    metrics::MetricBuilder(ctx.run.metrics)
        .add("concurrency", double(ctx.spec.concurrency), "requests", 1);
}

}  // namespace bench
