#include "app/workloads/workload.h"

#include <map>

#include "app/metrics/metric_builder.h"
#include "app/workloads/workload_common.h"

namespace bench {

WorkloadFn find_workload(const std::string& name) {
    static const std::map<std::string, WorkloadFn> table = {
        {"single", run_single}, {"stream", run_stream},   {"batch", run_batch},
        {"server", run_server}, {"load", run_load},       {"scaling", run_scaling},
        {"pp", run_pp},         {"tg", run_tg},           {"kernel", run_kernel},
        {"perplexity", run_perplexity},
    };
    auto it = table.find(name);
    return it == table.end() ? nullptr : it->second;
}

bool workload_needs_model(const std::string& name) { return name != "load"; }

bool workload_runs_over_http(const std::string& name) {
    return name == "single" || name == "stream" || name == "batch" || name == "server" || name == "scaling";
}

void run_workload_keeping_measured(WorkloadFn fn, WorkloadContext& ctx) {
    try {
        fn(ctx);
    } catch (...) {
        const bool has_figures = metrics::MetricBuilder(ctx.run.metrics).has("ttft_ms_p50");
        if (!ctx.run.requests.empty() && !has_figures && ctx.spec.workload != "scaling")
            add_latency_metrics(ctx, ctx.spec.workload == "stream");
        throw;
    }
}

}  // namespace bench
