#pragma once
// Prompts one after another on one Session (single and stream share it; stream also forwards
// every token with its timestamp and reports the inter-token latency distribution).
#include "app/workloads/workload.h"

namespace bench {

void run_sequential_generation(WorkloadContext& ctx, bool stream_tokens);

}  // namespace bench
