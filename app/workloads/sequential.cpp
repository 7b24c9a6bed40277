#include "app/workloads/sequential.h"

#include <stdexcept>

#include "app/core/engine_options.h"
#include "app/metrics/request_metrics.h"
#include "app/workloads/workload_common.h"
#include "engine/runtime/session.h"

namespace bench {
namespace {

// Runs the passes; returns early on cancel, keeping finished requests.
void run_passes(WorkloadContext& ctx, std::vector<double>& prefill_tok_s) {
    const auto prompts = tokenize_prompts(ctx);
    tern::Session session(ctx.model, session_options(ctx.spec, ctx.threads));

    const int passes = ctx.spec.warmup + ctx.spec.repetitions;
    const int64_t total = int64_t(passes) * int64_t(prompts.size());
    int64_t done = 0;
    uint64_t seq = 0;
    int index = 0;
    for (int pass = 0; pass < passes; ++pass) {
        const bool warm = pass < ctx.spec.warmup;
        const int rep = pass - ctx.spec.warmup;
        const std::string phase = warm ? phase_name(true, pass + 1, ctx.spec.warmup)
                                       : phase_name(false, rep + 1, ctx.spec.repetitions);
        for (const auto& prompt : prompts) {
            if (ctx.cancelled()) return;
            ctx.events.progress(phase, done, total);
            session.reset();
            const int req_index = warm ? -1 : index;
            // Every measured request shows its text live; stream_tokens only decides
            // whether the inter-token latency metrics are derived (add_latency_metrics).
            auto on_token = [&](const tern::TokenEvent& ev) {
                if (!warm) ctx.events.token(req_index, ev.piece, ev.time);
                else ctx.events.count_tokens(1);
            };
            const auto res = tern::generate(session, prompt, generation_params(ctx, seq++),
                                            on_token, ctx.cancel);
            if (res.stop == tern::StopReason::Error)
                throw std::runtime_error("generation failed: " + res.error);
            if (res.stop == tern::StopReason::Cancelled) return;  // incomplete: not a sample
            ++done;
            if (warm) continue;
            auto rec = metrics::to_request_record(res, ctx.t0, index++, rep);
            const double prefill_ms = metrics::ms_between(res.submitted, res.prefill_done);
            if (prefill_ms > 0) prefill_tok_s.push_back(res.prompt_tokens / (prefill_ms / 1000.0));
            ctx.events.request_done(rec);
            ctx.run.requests.push_back(std::move(rec));
        }
    }
    ctx.events.progress("done", done, total);
}

}  // namespace

void run_sequential_generation(WorkloadContext& ctx, bool stream_tokens) {
    std::vector<double> prefill;
    run_passes(ctx, prefill);
    add_latency_metrics(ctx, stream_tokens);
    add_prefill_series(ctx, prefill);
}

}  // namespace bench
