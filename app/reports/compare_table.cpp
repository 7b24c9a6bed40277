#include "app/reports/compare_table.h"

#include <algorithm>
#include <cmath>

#include "app/reports/run_labels.h"
#include "app/reports/busy_machine.h"
#include "app/reports/comparison.h"
#include "app/reports/pairing.h"

namespace bench {


std::string compare_run_label(const tbdb::RunRecord& run) {
    std::string label = run_label(run);
    if (run.status != tbdb::RunStatus::Completed) label += std::string(" (") + tbdb::status_name(run.status) + ")";
    return label;
}

std::vector<double> request_latencies(const tbdb::RunRecord& run) {
    std::vector<double> out;
    for (const auto& r : run.requests)
        if (r.e2e_ms && std::isfinite(*r.e2e_ms)) out.push_back(*r.e2e_ms);
    return out;
}

CompareTable build_compare_table(const std::vector<tbdb::RunRecord>& runs) {
    CompareTable table;
    table.method =
        "Tested rows (raw samples on both sides): ratio of medians (run / reference) with a 95% percentile-bootstrap "
        "CI (2000 resamples, seeded) and a two-sided Mann-Whitney U test; a difference is called faster/slower only "
        "when p < 0.05 (app/reports compare_runs). Other rows: every stored figure side by side with the plain ratio, "
        "not tested.";
    for (const auto& r : runs) table.run_labels.push_back(compare_run_label(r));
    if (runs.empty()) return table;
    const RunConfig reference = run_config(runs[0]);
    for (size_t i = 1; i < runs.size(); ++i) {
        const ConfigMatch m = match_configs(run_config(runs[i]), reference);
        table.configuration_warnings.push_back(
            m.same ? std::string()
                   : "#" + std::to_string(runs[i].id) + " is not the reference's configuration (" +
                         m.differences_text() + "): its ratios compare different experiments");
    }

    for (const auto& r : runs)
        if (const auto busy = busy_machine_note(r)) table.busy_warnings.push_back("#" + std::to_string(r.id) + ": " + *busy);

    // 1. Quantities with raw data, as app/reports compares them, each run against the reference.
    std::vector<RunComparison> comparisons;
    for (size_t i = 1; i < runs.size(); ++i) comparisons.push_back(compare_runs(runs[0], runs[i]));
    std::vector<std::pair<std::string, std::string>> quantities;   // (name, unit), first-seen order
    for (const auto& c : comparisons)
        for (const auto& q : c.rows)
            if (std::none_of(quantities.begin(), quantities.end(), [&](const auto& n) { return n.first == q.quantity; }))
                quantities.emplace_back(q.quantity, q.unit);
    for (const auto& [quantity, unit] : quantities) {
        CompareRow row;
        row.unit = unit;
        row.values.assign(runs.size(), std::nullopt);
        bool tested = false;
        for (size_t i = 0; i < comparisons.size(); ++i) {
            Comparison c;
            for (const auto& q : comparisons[i].rows) {
                if (q.quantity != quantity) continue;
                if (!row.values[0]) row.values[0] = q.baseline_value;
                row.values[i + 1] = q.current_value;
                c.ratio = q.ratio.ratio;
                c.ci_low = q.ratio.ci95_low;
                c.ci_high = q.ratio.ci95_high;
                if (q.test) {
                    tested = true;
                    c.p_value = q.test->p;
                    if (q.test->p) c.significant = q.significant;
                }
                c.note = q.verdict;
                if (q.test && !q.test->warning.empty()) c.note += "; " + q.test->warning;
                if (!q.ratio.note.empty()) c.note += "; " + q.ratio.note;
            }
            row.vs_reference.push_back(std::move(c));
        }
        // An untested quantity is only a stored figure: part 2 lists it once, not twice.
        if (!tested) continue;
        row.metric = quantity + " (median)";
        table.rows.push_back(std::move(row));
    }

    // 2. Every stored figure side by side (reference's order, then the others').
    std::vector<std::pair<std::string, std::string>> names;
    for (const auto& r : runs)
        for (const auto& m : r.metrics)
            if (std::none_of(names.begin(), names.end(), [&](const auto& n) { return n.first == m.name; }))
                names.emplace_back(m.name, m.unit);
    for (const auto& [name, unit] : names) {
        CompareRow row;
        row.metric = name;
        row.unit = unit;
        for (const auto& r : runs) {
            const tbdb::Metric* m = r.metric(name);
            row.values.push_back(m ? m->value : std::nullopt);
        }
        for (size_t i = 1; i < runs.size(); ++i) {
            Comparison c;
            const auto& a = row.values[0];
            const auto& b = row.values[i];
            if (a && b && *a != 0.0) c.ratio = *b / *a;
            c.note = !a || !b ? "missing on one side" : *a == 0.0 ? "reference is zero" : "figure only, not tested";
            row.vs_reference.push_back(std::move(c));
        }
        table.rows.push_back(std::move(row));
    }
    return table;
}

}  // namespace bench
