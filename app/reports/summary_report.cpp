#include "app/reports/summary_report.h"

#include <sstream>

#include "app/reports/comparison.h"
#include "app/reports/markdown_report.h"
#include "app/reports/run_labels.h"
#include "app/stats/text_format.h"

namespace bench {
namespace {

const char* kDash = "\u2014";

// A run's own report as a section of this one: every heading one level deeper.
std::string as_section(const std::string& report) {
    std::istringstream in(report);
    std::string out;
    for (std::string line; std::getline(in, line);) out += (line.rfind('#', 0) == 0 ? "#" + line : line) + "\n";
    return out;
}

}  // namespace

std::string markdown_summary_report(const std::string& title, const std::string& intro,
                                    const std::vector<tbdb::RunRecord>& runs) {
    std::string out = "# " + markdown_cell(title) + "\n\n";
    if (!intro.empty()) out += intro + "\n\n";
    if (runs.empty()) return out + "No runs were made.\n";

    out += "## Summary\n\n";
    out += "| run | test | status | implementation | threads | figure | value | n |\n";
    out += "|---|---|---|---|---:|---|---:|---:|\n";
    for (const auto& r : runs) {
        std::string id = "#";  // appended, not "#" + std::string: GCC 12 -Wrestrict false positive
        id += std::to_string(r.id);
        const std::string test = markdown_cell(workload_label(r)),
                          status = tbdb::status_name(r.status), impl = markdown_cell(implementation_label(r)),
                          threads = std::to_string(r.threads);
        if (r.status == tbdb::RunStatus::Failed) {
            // A failed run's figures (if any) measure an unfinished run: not summarized.
            out += markdown_row({id, test, status, impl, threads, markdown_cell(r.error.empty() ? "failed" : r.error), kDash, kDash});
            continue;
        }
        bool any = false;
        for (const auto& name : headline_metric_names()) {
            const tbdb::Metric* m = r.metric(name);
            if (!m) continue;
            any = true;
            const std::string value =
                m->value ? format_number(*m->value) + (m->unit.empty() ? "" : " " + m->unit) : std::string(kDash);
            out += markdown_row({id, test, status, impl, threads, markdown_cell(name), markdown_cell(value), std::to_string(m->n)});
        }
        if (!any) out += markdown_row({id, test, status, impl, threads, "no figures recorded", kDash, kDash});
    }
    out += "\nValues are the figures each run stored (" + std::string(kDash) +
           " = could not be measured); each run's section below gives every figure with its note.\n\n";

    for (const auto& r : runs) out += as_section(markdown_run_report(r)) + "\n";
    return out;
}

}  // namespace bench
