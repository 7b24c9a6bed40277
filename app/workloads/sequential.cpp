#include "app/workloads/sequential.h"

#include <stdexcept>

#include "app/core/engine_options.h"
#include "app/metrics/request_metrics.h"
#include "app/workloads/request_tracker.h"
#include "app/workloads/workload_common.h"
#include "engine/runtime/session.h"

namespace bench {
namespace {

// One request alone: in-process on the Session, or through the HTTP server's sink.
class OneAtATime {
public:
    explicit OneAtATime(WorkloadContext& ctx) : ctx_(ctx) {
        if (ctx.remote) {
            sink_ = ctx.remote->open_sink(1);
            return;
        }
        session_ = std::make_unique<tern::Session>(ctx.model, session_options(ctx.spec, ctx.threads));
    }
    tern::GenerationResult generate(const std::vector<int32_t>& prompt, const tern::GenerationParams& params,
                                    const tern::TokenCallback& on_token) {
        if (session_) {
            session_->reset();
            return tern::generate(*session_, prompt, params, on_token, ctx_.cancel);
        }
        RequestTracker tracker(*sink_);
        tracker.submit(prompt, params, on_token);
        tracker.wait_all(ctx_.cancel);
        return tracker.results().front();
    }
    // Prefill end is only seen in-process (over HTTP the server's own figure is stored apart).
    bool sees_prefill() const { return session_ != nullptr; }

private:
    WorkloadContext& ctx_;
    std::unique_ptr<tern::Session> session_;
    std::unique_ptr<RequestSink> sink_;
};

// Runs the passes; returns early on cancel, keeping finished requests.
void run_passes(WorkloadContext& ctx, std::vector<double>& prefill_tok_s) {
    const auto prompts = tokenize_prompts(ctx);
    OneAtATime session(ctx);

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
            const int req_index = warm ? -1 : index;
            // Every measured request shows its text live; stream_tokens only decides
            // whether the inter-token latency metrics are derived (add_latency_metrics).
            auto on_token = [&](const tern::TokenEvent& ev) {
                if (!warm) ctx.events.token(req_index, ev.piece, ev.time);
                else ctx.events.count_tokens(1);
            };
            const auto res = session.generate(prompt, generation_params(ctx, seq++), on_token);
            if (res.stop == tern::StopReason::Error)
                throw std::runtime_error("generation failed: " + res.error);
            if (res.stop == tern::StopReason::Cancelled) return;  // incomplete: not a sample
            ++done;
            if (warm) continue;
            auto rec = metrics::to_request_record(res, ctx.t0, index++, rep);
            const double prefill_ms = metrics::ms_between(res.submitted, res.prefill_done);
            if (prefill_ms > 0 && session.sees_prefill()) prefill_tok_s.push_back(res.prompt_tokens / (prefill_ms / 1000.0));
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
