#include "db/run_record.h"

#include <array>
#include <utility>

namespace tbdb {

namespace {
// The names stored in runs.status and printed by the CLI; order matches RunStatus.
constexpr std::array<std::pair<RunStatus, const char*>, 5> kStatusNames{{
    {RunStatus::Running, "running"},
    {RunStatus::Completed, "completed"},
    {RunStatus::Failed, "failed"},
    {RunStatus::Cancelled, "cancelled"},
    {RunStatus::Interrupted, "interrupted"},
}};
}  // namespace

const char* status_name(RunStatus s) {
    for (const auto& [status, name] : kStatusNames)
        if (status == s) return name;
    return "unknown";
}

std::optional<RunStatus> status_from_name(const std::string& s) {
    for (const auto& [status, name] : kStatusNames)
        if (s == name) return status;
    return std::nullopt;
}

const Metric* find_metric(const std::vector<Metric>& metrics, const std::string& name) {
    for (const Metric& m : metrics)
        if (m.name == name) return &m;
    return nullptr;
}

const Metric* RunRecord::metric(const std::string& name) const { return find_metric(metrics, name); }

}  // namespace tbdb
