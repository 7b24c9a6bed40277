#pragma once
// `ternbench baseline run`: runs an external llama-bench (llama.cpp's or bitnet.cpp's build)
// with `-o json` as a supervised child process (see app/system/child_process.h), parses
// every sample with the llama-bench parser and stores one run per test. A missing, crashing,
// hanging or garbage-printing program gives a clear error AND a stored failed run.
#include <atomic>
#include <string>
#include <vector>

#include "db/run_record.h"
#include "db/run_store.h"

namespace bench {

struct LlamaBenchRunSpec {
    std::string program;             // path (or name in PATH) of llama-bench
    std::string model_path;
    int n_prompt = 512;              // -p (0: no pp test)
    int n_gen = 128;                 // -n (0: no tg test)
    int threads = 0;                 // -t; 0: physical cores
    int repetitions = 5;             // -r
    double timeout_s = 3600;
    std::string implementation;      // override; empty: detected from the output
    std::vector<std::string> extra_args;
};

struct LlamaBenchRunOutcome {
    std::vector<tbdb::RunRecord> runs;   // stored runs (completed ones, or the one failed run)
    std::string error;                   // empty on success
    bool cancelled = false;              // the cancel flag rose: the run is stored `cancelled`
    std::vector<std::string> warnings;   // results printed for parameters not asked (not stored)
    bool ok() const { return error.empty(); }
};

// A run row (`running`) is opened before the program starts, so a killed ternbench leaves an
// `interrupted` run. Only results for the asked parameters (pp<-p>, tg<-n> at -t threads) are
// stored; a missing one or a throughput of 0 fails the run. The program runs through
// sys::ChildProcess (own group, only stdio, killed on timeout, cancel and our death).
// Throws only tbdb::StoreError (the outcome cannot be stored; the error names the file
// keeping the measurements).
LlamaBenchRunOutcome run_llama_bench(const LlamaBenchRunSpec& spec, tbdb::RunStore& store,
                                     const std::atomic<bool>* cancel = nullptr);

// The argument list passed to the program (for logs and tests).
std::vector<std::string> llama_bench_args(const LlamaBenchRunSpec& spec);

}  // namespace bench
