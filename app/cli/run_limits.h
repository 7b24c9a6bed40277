#pragma once
// Sizes no context can hold, refused as bad usage (exit 2) before a model is made or loaded.
#include <string>

#include "app/core/benchmark_spec.h"

namespace bench::cli {

// Empty when the token counts of `spec` can fit the context its run will get, else a message
// naming the flag, the size and the limit. The limit is --n-ctx when given; else the model's
// default context when the model file (or the cached demo model) can be read cheaply, else the
// largest default context any model gets. Prompt sizes known only after tokenizing are left
// to the run itself.
std::string context_limit_problem(const BenchmarkSpec& spec);

}  // namespace bench::cli
