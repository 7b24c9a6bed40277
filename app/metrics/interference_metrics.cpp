#include "app/metrics/interference_metrics.h"

#include <string>

#include "app/metrics/metric_builder.h"

namespace bench::metrics {

void add_interference_metrics(std::vector<tbdb::Metric>& out, const std::optional<sys::CpuInterference>& measured) {
    MetricBuilder mb(out);
    if (!measured) {
        const std::string why = "not measured: the workload ended before /proc/stat advanced one clock tick";
        mb.add("cpu_other_pct", std::nullopt, "%", 1, why);
        mb.add("cpu_steal_pct", std::nullopt, "%", 1, why);
        return;
    }
    mb.add("cpu_other_pct", measured->other_pct, "%", 1,
           "CPU time other processes used during the workload, % of all cores (/proc/stat busy - own)");
    mb.add("cpu_steal_pct", measured->steal_pct, "%", 1,
           "CPU time the hypervisor gave to other guests during the workload, % of all cores (/proc/stat steal)");
}

}  // namespace bench::metrics
