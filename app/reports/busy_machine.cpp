#include "app/reports/busy_machine.h"

#include "app/stats/text_format.h"

namespace bench {

namespace {
std::optional<double> figure(const std::vector<tbdb::Metric>& metrics, const std::string& name) {
    const tbdb::Metric* m = tbdb::find_metric(metrics, name);
    return m ? m->value : std::nullopt;
}
}  // namespace

bool measured_on_busy_machine(const std::vector<tbdb::Metric>& metrics) {
    const auto other = figure(metrics, "cpu_other_pct"), steal = figure(metrics, "cpu_steal_pct");
    return (other && *other >= kBusyOtherPct) || (steal && *steal >= kBusyStealPct);
}

std::optional<std::string> busy_machine_note(const tbdb::RunRecord& run) {
    if (!measured_on_busy_machine(run.metrics)) return std::nullopt;
    const auto other = figure(run.metrics, "cpu_other_pct"), steal = figure(run.metrics, "cpu_steal_pct");
    return "Busy machine: other processes used " + format_fixed(other.value_or(0), 1) +
           " % and the hypervisor took " + format_fixed(steal.value_or(0), 1) +
           " % of all CPU time during the workload, so these figures are likely lower than on a quiet "
           "machine.";
}

}  // namespace bench
