#pragma once
// The workloads of docs/ARCHITECTURE.md section 3, one file each, over the helpers in workload_common.h.
// A workload fills run.metrics / run.samples / run.requests from raw timestamps; it throws
// (tern::Error, std::exception) on failure and returns early, keeping what it measured, when
// the cancel flag rises. The Runner does everything around it (store, sampler, resources).
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "app/core/benchmark_spec.h"
#include "app/workloads/request_sink.h"
#include "app/workloads/run_events.h"
#include "db/run_record.h"
#include "engine/model/model.h"

namespace bench {

// Set when the requests go to an HTTP server instead of the in-process engine.
struct RemoteGeneration {
    std::function<std::unique_ptr<RequestSink>(int max_batch)> open_sink;
    // Prompt text -> token ids (the model file's tokenizer, or the server's /tokenize).
    std::function<std::vector<int32_t>(const std::string&)> tokenize;
    int64_t n_ctx = 0;        // per-request context to check prompts against; 0 = unknown
    int server_threads = 0;   // fixed by the server (scaling cannot sweep threads over HTTP)
};

struct WorkloadContext {
    const BenchmarkSpec& spec;
    std::string model_path;                    // resolved file
    std::shared_ptr<const tern::Model> model;  // null for `load` (it loads in a child)
    std::vector<std::string> prompts;          // resolved prompt set
    int threads = 1;                           // resolved (never 0)
    tbdb::RunRecord& run;
    RunEvents& events;
    const std::atomic<bool>* cancel = nullptr;
    std::chrono::steady_clock::time_point t0;  // run start: request times are relative to it
    const RemoteGeneration* remote = nullptr;  // null: in-process
    // In-process: ids the sampler never picks (forbidden_tokens.h); over HTTP the sink sends them.
    std::vector<int32_t> forbidden_tokens = {};

    bool cancelled() const { return cancel && cancel->load(std::memory_order_relaxed); }
};

using WorkloadFn = void (*)(WorkloadContext&);
// nullptr for an unknown name.
WorkloadFn find_workload(const std::string& name);
// Whether the runner must load the model in-process before the workload.
bool workload_needs_model(const std::string& name);
// The latency workloads, which can also run against an HTTP server.
bool workload_runs_over_http(const std::string& name);
// Runs the workload; when it fails after some requests finished, their latency figures are
// computed before the error goes on (a failed run keeps what was measured).
void run_workload_keeping_measured(WorkloadFn fn, WorkloadContext& ctx);

void run_single(WorkloadContext& ctx);
void run_stream(WorkloadContext& ctx);
void run_batch(WorkloadContext& ctx);
void run_server(WorkloadContext& ctx);
void run_load(WorkloadContext& ctx);
void run_scaling(WorkloadContext& ctx);
void run_pp(WorkloadContext& ctx);
void run_tg(WorkloadContext& ctx);
void run_kernel(WorkloadContext& ctx);
void run_perplexity(WorkloadContext& ctx);

}  // namespace bench
