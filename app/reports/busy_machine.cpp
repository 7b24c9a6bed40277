#include "app/reports/busy_machine.h"

#include "app/stats/text_format.h"

namespace bench {

namespace {
std::optional<double> figure(const tbdb::RunRecord& run, const std::string& name) {
    for (const auto& m : run.metrics)
        if (m.name == name) return m.value;
    return std::nullopt;
}
}  // namespace

std::optional<std::string> busy_machine_note(const tbdb::RunRecord& run) {
    const auto other = figure(run, "cpu_other_pct"), steal = figure(run, "cpu_steal_pct");
    const bool busy = (other && *other >= kBusyOtherPct) || (steal && *steal >= kBusyStealPct);
    if (!busy) return std::nullopt;
    return "Busy machine: other processes used " + format_fixed(other.value_or(0), 1) +
           " % and the hypervisor took " + format_fixed(steal.value_or(0), 1) +
           " % of all CPU time during the workload, so these figures are likely lower than on a quiet "
           "machine.";
}

}  // namespace bench
