#pragma once
// cpu_other_pct and cpu_steal_pct of a run: what the rest of the machine took while the workload
// ran (app/system/system_cpu.h). Always both figures: a window too short to read is stored as
// missing with the reason, so a report can tell "not measured" from "not asked".
#include <optional>
#include <vector>

#include "app/system/system_cpu.h"
#include "db/run_record.h"

namespace bench::metrics {

// measured: cpu_interference() of the workload's window; nullopt when no tick passed.
void add_interference_metrics(std::vector<tbdb::Metric>& out, const std::optional<sys::CpuInterference>& measured);

}  // namespace bench::metrics
