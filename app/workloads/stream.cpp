// `stream`: streamed generation, every token forwarded with its timestamp; adds the
// inter-token latency distribution (itl_ms_p50/p90/p95/p99).
#include "app/workloads/sequential.h"

namespace bench {

void run_stream(WorkloadContext& ctx) { run_sequential_generation(ctx, /*stream_tokens=*/true); }

}  // namespace bench
