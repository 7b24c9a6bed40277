#pragma once
// `ternbench baseline run --llama-server PATH`: starts llama.cpp's (or a fork's) llama-server
// on 127.0.0.1 and a free port with the run's threads, context and slots (-np = concurrency),
// waits for /health, runs the latency workload against it over HTTP with the same inputs the
// in-process engine gets, stops the server (SIGTERM, then SIGKILL of its group) and stores the
// run with the implementation detected, its build, the server's command line and the tail of
// its output. A program that is missing, cannot run, exits at start, never becomes ready or
// crashes mid-run gives a clear error and a stored failed run; no server outlives the call.
#include <atomic>
#include <string>
#include <vector>

#include "app/core/benchmark_spec.h"
#include "app/core/runner.h"
#include "db/run_record.h"
#include "db/run_store.h"

namespace bench {

struct LlamaServerRunSpec {
    std::string program;            // path (or name in PATH) of llama-server
    BenchmarkSpec spec;             // the run flags; spec.model_path is required
    double health_timeout_s = 300;  // loading a big model takes a while
    double stop_grace_s = 3;        // SIGTERM -> SIGKILL
    int port = 0;                   // 0: a free port
    std::string implementation;     // override; empty: detected
    std::vector<std::string> extra_args;   // after `--`: passed to the server, kept in the config
};

struct LlamaServerRunOutcome {
    tbdb::RunRecord run;            // stored (completed, failed or cancelled)
    std::string error;              // empty on success
    bool input_error = false;       // missing program or model file (exit code 3)
    std::vector<std::string> command;  // the server's command line, when one was made
};

// Throws only tbdb::StoreError.
LlamaServerRunOutcome run_llama_server_baseline(const LlamaServerRunSpec& spec, tbdb::RunStore& store,
                                                RunObserver* observer = nullptr,
                                                const std::atomic<bool>* cancel = nullptr);

// Which of the flags we need a server's --help lists; what is missing, by name.
struct ServerFlags {
    bool no_webui = false, parallel = false, ctx_size = false, threads = false, host = false,
         port = false, cache_type = false;
    std::vector<std::string> missing_required(bool needs_parallel, bool needs_cache_type) const;
};
ServerFlags server_flags_from_help(const std::string& help_text);

// The argument list for the server (without the program).
std::vector<std::string> llama_server_args(const BenchmarkSpec& spec, const ServerFlags& flags, int threads,
                                           int slots, int64_t ctx_total, int port);

// The slots a workload needs at once: 1 for single/stream, the concurrency for batch/server,
// the largest sweep concurrency for scaling.
int server_slots_for(const BenchmarkSpec& spec);

// A port on 127.0.0.1 that was free a moment ago (0 when none could be found).
int free_local_port();
// Whether 127.0.0.1:port can be bound now.
bool local_port_free(int port);

}  // namespace bench
