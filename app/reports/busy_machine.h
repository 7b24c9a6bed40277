#pragma once
// Whether a run was measured on a busy machine (cpu_other_pct, cpu_steal_pct: system_cpu.h),
// said in words for reports and the window.
#include <optional>
#include <string>
#include <vector>

#include "db/run_record.h"

namespace bench {

// Thresholds in % of all CPU time during the workload. On an idle 2-vCPU VM a tg run measures
// under 1 % of either; one other busy thread on two cores is 50 %.
inline constexpr double kBusyOtherPct = 10.0;
inline constexpr double kBusyStealPct = 5.0;

// Either figure at or above its threshold. False for runs without the figures (older runs,
// HTTP runs).
bool measured_on_busy_machine(const std::vector<tbdb::Metric>& metrics);
// A sentence when measured_on_busy_machine; nullopt otherwise.
std::optional<std::string> busy_machine_note(const tbdb::RunRecord& run);

}  // namespace bench
