#include "app/workloads/workload_common.h"

#include <limits>
#include <map>
#include <stdexcept>

#include "app/metrics/metric_builder.h"
#include "app/metrics/request_metrics.h"
#include "engine/model/model.h"
#include "engine/runtime/session.h"

namespace bench {

std::vector<std::vector<int32_t>> tokenize_prompts(const WorkloadContext& ctx) {
    // Refuse up front a request that cannot fit the context: generation would stop early at
    // "context full" after minutes of work and measure a different request than asked for.
    const int64_t n_ctx = ctx.remote ? ctx.remote->n_ctx : tern::default_context(ctx.model->hparams(), ctx.spec.n_ctx);
    const int64_t n_new = ctx.spec.effective_max_tokens();
    std::vector<std::vector<int32_t>> out;
    for (const auto& p : ctx.prompts) {
        std::vector<int32_t> ids;
        if (ctx.remote) {
            ids = ctx.remote->tokenize(p);
        } else {
            const auto& tok = ctx.model->tokenizer();
            ids = tok.encode(p, tok.vocab().add_bos);
        }
        if (ids.empty()) throw std::runtime_error("prompt tokenizes to no tokens: \"" + p + "\"");
        if (n_ctx > 0 && int64_t(ids.size()) + n_new > n_ctx)
            throw std::runtime_error("prompt of " + std::to_string(ids.size()) + " tokens + " +
                                     std::to_string(n_new) + " new tokens do not fit the context of " +
                                     std::to_string(n_ctx) + " tokens (lower --max-tokens or raise --n-ctx)");
        out.push_back(std::move(ids));
    }
    if (out.empty()) throw std::runtime_error("no prompts to run");
    return out;
}

tern::SamplerParams sampler_params(const BenchmarkSpec& spec, uint64_t request_seq) {
    tern::SamplerParams s;
    s.temperature = spec.temperature;
    s.top_k = spec.top_k;
    s.top_p = spec.top_p;
    s.seed = spec.seed + request_seq;
    return s;
}

tern::GenerationParams generation_params(const WorkloadContext& ctx, uint64_t request_seq) {
    tern::GenerationParams g;
    g.max_tokens = ctx.spec.effective_max_tokens();
    g.sampling = sampler_params(ctx.spec, request_seq);
    if (!ctx.remote)
        for (int32_t id : ctx.forbidden_tokens)
            g.sampling.logit_bias.emplace_back(id, -std::numeric_limits<float>::infinity());
    g.stop_at_eog = !ctx.spec.ignore_eos;
    return g;
}

std::unique_ptr<RequestSink> open_request_sink(const WorkloadContext& ctx, const tern::SchedulerOptions& so) {
    if (ctx.remote) return ctx.remote->open_sink(so.max_batch);
    return std::make_unique<SchedulerSink>(ctx.model, so);
}

void keep_results(WorkloadContext& ctx, const std::vector<tern::GenerationResult>& results, int& index,
                  int repetition, std::vector<tbdb::RequestRecord>* out) {
    std::string first_error;
    for (const auto& res : results) {
        if (res.stop == tern::StopReason::Error) {
            if (first_error.empty()) first_error = res.error;
            continue;
        }
        auto rec = metrics::to_request_record(res, ctx.t0, index++, repetition);
        if (out) {
            out->push_back(std::move(rec));
            continue;
        }
        ctx.events.request_done(rec);
        ctx.run.requests.push_back(std::move(rec));
    }
    if (!first_error.empty()) throw std::runtime_error("generation failed: " + first_error);
}

std::string phase_name(bool warmup, int i, int n) {
    return std::string(warmup ? "warmup " : "repetition ") + std::to_string(i) + "/" + std::to_string(n);
}

void add_latency_metrics(WorkloadContext& ctx, bool with_itl) {
    const auto& reqs = ctx.run.requests;
    metrics::MetricBuilder mb(ctx.run.metrics);
    const auto lat = metrics::collect_latencies(reqs);
    mb.add_percentiles("ttft_ms", lat.ttft, {50, 90, 95, 99}, "ms");
    mb.add_percentiles("e2e_ms", lat.e2e, {50, 90, 95, 99, 99.9}, "ms");
    mb.add_percentiles("tpot_ms", lat.tpot, {50, 90, 95, 99}, "ms");
    if (with_itl) mb.add_percentiles("itl_ms", lat.itl, {50, 90, 95, 99}, "ms");
    mb.add_summary("decode_tok_s", lat.decode_tok_s, "tok/s");

    // Output throughput per repetition (docs/ARCHITECTURE.md section 4), then its mean over repetitions.
    std::map<int, std::vector<tbdb::RequestRecord>> by_rep;
    for (const auto& r : reqs) by_rep[r.repetition].push_back(r);
    tbdb::SampleSeries tput{"output_tok_s", "tok/s", {}};
    tbdb::SampleSeries span{"makespan_ms", "ms", {}};
    tbdb::SampleSeries decode_agg{"decode_agg_tok_s", "tok/s", {}};
    for (const auto& [rep, rs] : by_rep) {
        if (auto v = metrics::output_tok_s(rs)) tput.values.push_back(*v);
        if (auto d = metrics::decode_aggregate_tok_s(rs)) decode_agg.values.push_back(*d);
        if (auto m = metrics::makespan_ms(rs)) span.values.push_back(*m);
    }
    mb.add_summary("output_tok_s", tput.values, "tok/s");
    mb.add_summary("makespan_ms", span.values, "ms");
    mb.add_summary("decode_agg_tok_s", decode_agg.values, "tok/s");
    ctx.run.samples.push_back(std::move(tput));
    ctx.run.samples.push_back(std::move(decode_agg));
    ctx.run.samples.push_back(std::move(span));

    int64_t out_tokens = 0;
    for (const auto& r : reqs) out_tokens += r.output_tokens;
    mb.add("requests", static_cast<double>(reqs.size()), "count", static_cast<int64_t>(reqs.size()));
    mb.add("output_tokens", static_cast<double>(out_tokens), "tokens", static_cast<int64_t>(reqs.size()));
}

void add_prefill_series(WorkloadContext& ctx, const std::vector<double>& prefill_tok_s) {
    metrics::MetricBuilder mb(ctx.run.metrics);
    mb.add_summary("prefill_tok_s", prefill_tok_s, "tok/s");
    ctx.run.samples.push_back({"prefill_tok_s", "tok/s", prefill_tok_s});
}

}  // namespace bench
