// `single`: prompts one after another (MLPerf SingleStream): E2E/TTFT/TPOT, output tok/s.
#include "app/workloads/sequential.h"

namespace bench {

void run_single(WorkloadContext& ctx) { run_sequential_generation(ctx, /*stream_tokens=*/false); }

}  // namespace bench
