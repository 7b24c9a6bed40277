#pragma once
// The engine options a benchmark spec asks for, made in one place: every workload builds its
// session or scheduler from these, so context size and KV type mean the same everywhere.
#include <string>
#include <vector>

#include "app/core/benchmark_spec.h"
#include "engine/runtime/scheduler.h"
#include "engine/runtime/session.h"

namespace bench {

// threads: the resolved compute thread count of the run (or of a scaling point).
tern::SessionOptions session_options(const BenchmarkSpec& spec, int threads);
// max_batch: sequences decoded together (the spec's concurrency, or a scaling point's).
tern::SchedulerOptions scheduler_options(const BenchmarkSpec& spec, int threads, int max_batch);

// The kernel names a spec can give on this machine: "auto", then the sets the engine has
// compiled in and the CPU supports, best first. (Demo presets, types and archs: see
// engine/demo/demo_model.h.)
std::vector<std::string> kernel_choices();

}  // namespace bench
