#pragma once
// `ternbench baseline run --llama-perplexity PATH`: runs llama.cpp's or bitnet.cpp's
// llama-perplexity as a child (sys::run_child: own process group, timeout kills the group,
// stderr kept), parses its output and stores it as that implementation's `perplexity` run,
// with the same metric names as the engine's workload. A missing, crashing, hanging or
// garbage-printing program gives a clear error AND a stored failed run.
// Also the import side: a saved llama-perplexity log to a run.
#include <atomic>
#include <string>
#include <vector>

#include "db/run_record.h"
#include "db/run_store.h"

namespace bench {

struct LlamaPerplexityRunSpec {
    std::string program;            // path (or name in PATH) of llama-perplexity
    std::string model_path;
    std::string text_file;          // -f (may be empty with kl_base: the base holds the tokens)
    int ctx = 512;                  // -c (and -b, one batch per chunk like the engine)
    int chunks = 0;                 // --chunks; 0: all
    int threads = 0;                // -t; 0: physical cores
    std::string kl_base;            // --kl-divergence-base FILE --kl-divergence
    std::string write_kl_base;      // --kl-divergence-base FILE (writes it)
    double timeout_s = 3600;
    std::string implementation;     // override; empty: detected
    std::vector<std::string> extra_args;
};

struct LlamaPerplexityOutcome {
    tbdb::RunRecord run;            // stored (completed or failed)
    std::string error;              // empty on success
    bool input_error = false;       // a missing model / text / base file (exit 3)
    bool ok() const { return error.empty(); }
};

std::vector<std::string> llama_perplexity_args(const LlamaPerplexityRunSpec& spec);

// Throws only tbdb::StoreError.
LlamaPerplexityOutcome run_llama_perplexity(const LlamaPerplexityRunSpec& spec, tbdb::RunStore& store,
                                            const std::atomic<bool>* cancel = nullptr);

// A saved llama-perplexity log to a completed `perplexity` run (not stored). Throws
// LlamaPerplexityError when the log holds no result. The model is only known by the log's
// chunking line; implementation: the override or "llama.cpp".
tbdb::RunRecord llama_perplexity_log_to_run(const std::string& text, const std::string& origin,
                                            const std::string& implementation);

// "bitnet.cpp" for the model types only bitnet.cpp's fork runs (I2_S, TL1, TL2), else
// "llama.cpp".
std::string detect_perplexity_implementation(const std::string& ternary_type);

}  // namespace bench
