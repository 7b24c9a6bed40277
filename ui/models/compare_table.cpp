#include "ui/models/compare_table.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>

#include "app/metrics/request_metrics.h"
#include "app/stats/compare.h"

namespace tbui {

namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// "tok_s_median" -> ("tok_s", "_median"); "tok_s" -> ("tok_s", "").
std::pair<std::string, std::string> split_metric(const std::string& name) {
    static constexpr std::array<std::string_view, 12> suffixes = {
        "_ci95_low", "_ci95_high", "_median", "_stddev", "_mean", "_min", "_max",
        "_p999", "_p50", "_p90", "_p95", "_p99"};
    for (std::string_view s : suffixes)
        if (ends_with(name, s)) return {name.substr(0, name.size() - s.size()), std::string(s)};
    return {name, ""};
}

// The ratio-of-medians CI and the U test describe the centre of the distribution: attach them
// to the rows that show a centre, not to tails or spreads.
bool is_centre(const std::string& suffix) { return suffix.empty() || suffix == "_median" || suffix == "_p50" || suffix == "_mean"; }

}  // namespace

std::string run_label(const tbdb::RunRecord& run) {
    std::string label = "#" + std::to_string(run.id) + " " + run.workload + " " + run.implementation;
    if (run.status != tbdb::RunStatus::Completed) label += std::string(" (") + tbdb::status_name(run.status) + ")";
    return label;
}

std::vector<double> request_latencies(const tbdb::RunRecord& run) {
    std::vector<double> out;
    for (const auto& r : run.requests)
        if (r.e2e_ms && std::isfinite(*r.e2e_ms)) out.push_back(*r.e2e_ms);
    return out;
}

std::vector<double> raw_values(const tbdb::RunRecord& run, const std::string& metric) {
    const std::string base = split_metric(metric).first;
    for (const auto& s : run.samples)
        if (s.name == base || s.name == metric) return s.values;
    if (run.requests.empty()) return {};
    const auto lat = bench::metrics::collect_latencies(run.requests);
    if (base == "e2e_ms") return lat.e2e;
    if (base == "ttft_ms") return lat.ttft;
    if (base == "tpot_ms") return lat.tpot;
    if (base == "itl_ms") return lat.itl;
    if (base == "decode_tok_s") return lat.decode_tok_s;
    return {};
}

CompareTable build_compare_table(const std::vector<tbdb::RunRecord>& runs) {
    CompareTable table;
    table.method =
        "Ratio = run / reference (first column). 95% CI: percentile bootstrap of the ratio of medians of the raw "
        "samples (2000 resamples, seeded); p: two-sided Mann-Whitney U test, significant when p < 0.05. "
        "CI and p are given on the rows that show a centre (mean, median, p50) when both runs kept raw samples.";
    for (const auto& r : runs) table.run_labels.push_back(run_label(r));
    if (runs.empty()) return table;

    // Metric order: the reference's order, then metrics only the others have.
    std::vector<std::pair<std::string, std::string>> names;   // (name, unit)
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
        const auto [base, suffix] = split_metric(name);
        const std::vector<double> ref_raw = is_centre(suffix) ? raw_values(runs[0], name) : std::vector<double>{};
        for (size_t i = 1; i < runs.size(); ++i) {
            Comparison c;
            const auto& a = row.values[0];
            const auto& b = row.values[i];
            if (a && b && *a != 0.0) c.ratio = *b / *a;
            else if (a && b) c.note = "reference is zero";
            if (is_centre(suffix)) {
                const std::vector<double> raw = raw_values(runs[i], name);
                if (!ref_raw.empty() && !raw.empty()) {
                    const bench::RatioResult rr = bench::ratio_of_medians(ref_raw, raw);
                    c.ci_low = rr.ci95_low;
                    c.ci_high = rr.ci95_high;
                    const bench::MannWhitneyResult mw = bench::mann_whitney_u(ref_raw, raw);
                    c.p_value = mw.p;
                    if (mw.p) c.significant = mw.significant;
                    std::string note = rr.note;
                    if (!mw.warning.empty()) note += (note.empty() ? "" : "; ") + mw.warning;
                    c.note = note;
                } else if (a && b) {
                    c.note = "no raw samples";
                }
            }
            row.vs_reference.push_back(std::move(c));
        }
        table.rows.push_back(std::move(row));
    }
    return table;
}

}  // namespace tbui
