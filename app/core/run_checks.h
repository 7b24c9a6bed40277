#pragma once
// Everything a run is refused for before any work is done (no model made or loaded, no store
// opened, nothing stored), in one place for the CLI and the window's Run page:
//  - flags: every number inside its documented range (README "Flag ranges"), known workload,
//    preset, type, arch and kernel, token counts the context can hold, KV caches the memory
//    can hold -- a flag problem (exit 2);
//  - inputs: the model file exists and is a supported GGUF, the prompts file reads -- an input
//    problem (exit 3; the runner still stores the failed run).
#include <string>

#include "app/core/benchmark_spec.h"

namespace bench {

struct RunCheck {
    enum class Kind { Ok, BadFlags, BadInput };
    Kind kind = Kind::Ok;
    std::string message;   // names the flag or file, the value and the limit
    bool ok() const { return kind == Kind::Ok; }
};

// Upper bounds that depend on the machine.
int max_threads();        // 4 x the logical CPUs
int max_concurrency();    // 1024 (and what the memory holds for the model's KV caches)

// Ranges and names only, without touching any file (for checks on every keystroke).
RunCheck check_run_ranges(const BenchmarkSpec& spec);
// Ranges, names, context and memory. Cheap: reads at most a model's header.
RunCheck check_run_flags(const BenchmarkSpec& spec);
// check_run_flags, then the model and prompts files.
RunCheck check_run_inputs(const BenchmarkSpec& spec);

}  // namespace bench
