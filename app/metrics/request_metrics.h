#pragma once
// Per-request latency figures and throughput, computed from raw timestamps exactly as
// docs/ARCHITECTURE.md section 4 defines them:
//   TTFT = first token available - submitted; E2E = last token available - submitted;
//   TPOT = (E2E - TTFT) / (output_tokens - 1); ITL = each gap between consecutive tokens;
//   output tok/s = sum of output tokens / (last token time - first submit time).
#include <chrono>
#include <optional>
#include <vector>

#include "db/run_record.h"
#include "engine/runtime/generate.h"

namespace bench::metrics {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point from, Clock::time_point to);

// Engine result -> stored request: submit_ms relative to the run's t0, token times and
// TTFT/E2E relative to the request's submit time. No tokens: TTFT/E2E stay missing.
tbdb::RequestRecord to_request_record(const tern::GenerationResult& r, Clock::time_point t0,
                                      int index, int repetition);

// Missing with fewer than 2 output tokens (no gap to divide by).
std::optional<double> tpot_ms(const tbdb::RequestRecord& r);
std::vector<double> itl_ms(const tbdb::RequestRecord& r);
// Decode rate of one request: (output_tokens - 1) / (E2E - TTFT), i.e. 1000 / TPOT.
std::optional<double> decode_tok_s(const tbdb::RequestRecord& r);

// Over a set of requests: sum of output tokens / (last token time - first submit time).
// Missing when no token was produced or the span is zero.
std::optional<double> output_tok_s(const std::vector<tbdb::RequestRecord>& requests);
// Aggregate decode rate of concurrent requests: the tokens after each request's first one,
// summed, over the window from the earliest first token to the latest last token (the time
// the batch spends decoding once prefill has produced first tokens). Missing when no request
// has a second token or the window is zero. One request: its own decode rate.
std::optional<double> decode_aggregate_tok_s(const std::vector<tbdb::RequestRecord>& requests);
// Makespan: last token time - first submit time, in ms.
std::optional<double> makespan_ms(const std::vector<tbdb::RequestRecord>& requests);

// Every TTFT / E2E / TPOT / ITL of a set of requests, for percentile summaries.
struct LatencySamples {
    std::vector<double> ttft, e2e, tpot, itl, decode_tok_s;
};
LatencySamples collect_latencies(const std::vector<tbdb::RequestRecord>& requests);

}  // namespace bench::metrics
