#pragma once
// Helpers shared by the generation workloads: tokenized prompts, generation parameters from
// the spec, and the latency/throughput figures every latency workload reports.
#include <cstdint>
#include <vector>

#include "app/workloads/workload.h"
#include "engine/runtime/generate.h"
#include "engine/runtime/scheduler.h"

namespace bench {

// Prompts tokenized with the model's own BOS rule; throws when one tokenizes to nothing.
std::vector<std::vector<int32_t>> tokenize_prompts(const WorkloadContext& ctx);
// The engine's Scheduler with these options, or the HTTP server's sink (ctx.remote; its
// threads and KV type are the server's).
std::unique_ptr<RequestSink> open_request_sink(const WorkloadContext& ctx, const tern::SchedulerOptions& so);
// Every result of a pass goes to ctx.run.requests (with request_done) except failed ones;
// then the first failure, if any, is thrown (after the others were kept).
void keep_results(WorkloadContext& ctx, const std::vector<tern::GenerationResult>& results, int& index,
                  int repetition, std::vector<tbdb::RequestRecord>* out = nullptr);
// Sampling from the spec. The seed differs per request so repeated prompts are independent
// draws, yet the whole run is reproducible.
tern::GenerationParams generation_params(const WorkloadContext& ctx, uint64_t request_seq);
tern::SamplerParams sampler_params(const BenchmarkSpec& spec, uint64_t request_seq);

// TTFT / E2E / TPOT percentiles over ctx.run.requests, plus output tok/s per repetition as a
// SampleSeries with its summary (`output_tok_s` is the mean over repetitions).
void add_latency_metrics(WorkloadContext& ctx, bool with_itl);
// Prefill rate of sequential requests: prompt_tokens / (prefill done - submitted), per request.
void add_prefill_series(WorkloadContext& ctx, const std::vector<double>& prefill_tok_s);

// "warmup 1/2", "repetition 3/5".
std::string phase_name(bool warmup, int i, int n);

}  // namespace bench
