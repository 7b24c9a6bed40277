#pragma once
// Everything a run against an HTTP server needs beside the workload: the probed endpoint, the
// prompt tokenizer (the model file's own, else the server's /tokenize), the forbidden tokens,
// the sink factory, and the server's own timings of each request (stored apart, labelled
// server-reported).
#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/core/benchmark_spec.h"
#include "app/http/endpoint_probe.h"
#include "app/http/http_sink.h"
#include "app/workloads/workload.h"
#include "engine/tokenizer/tokenizer.h"

namespace bench::http {

class ServerTimingsLog {
public:
    void add(tern::Clock::time_point submitted, const ServerTimings& t);
    // server_prompt_tok_s, server_decode_tok_s, server_prompt_ms, server_decode_ms_per_token
    // over the stored requests (warm-up ones excluded: matched by submit time).
    void add_metrics(tbdb::RunRecord& run, tern::Clock::time_point t0) const;

private:
    mutable std::mutex mu_;
    std::vector<std::pair<tern::Clock::time_point, ServerTimings>> entries_;
};

struct RemoteSetup {
    EndpointInfo info;
    RemoteGeneration remote;
    std::shared_ptr<const tern::Tokenizer> tokenizer;  // null: the server tokenizes
    std::vector<int32_t> forbid_tokens;                // resolved (byte tokens added)
    std::shared_ptr<ServerTimingsLog> timings = std::make_shared<ServerTimingsLog>();
    // For the run's config: where, which API and why, what answered, how prompts were tokenized.
    nlohmann::json describe() const;
};

// Probes the endpoint and prepares the run. `model_path` may be empty (server-side
// tokenization; then --forbid-byte-tokens cannot be resolved). Throws std::runtime_error
// naming the problem.
std::unique_ptr<RemoteSetup> prepare_remote(const BenchmarkSpec& spec, const std::string& model_path,
                                            int server_threads);


}  // namespace bench::http
