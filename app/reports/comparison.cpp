#include "app/reports/comparison.h"

#include <algorithm>
#include <cmath>

#include "app/reports/run_labels.h"
#include "app/stats/summary.h"

namespace bench {
namespace {

std::string verdict_for(Direction d, const std::string& quantity, double ratio) {
    const bool time_like = quantity.find("_ms") != std::string::npos || quantity == "ns";
    const bool up = ratio > 1.0;
    if (ratio == 1.0) return "different spread, same median";
    if (d == Direction::HigherIsBetter) return up ? "faster" : "slower";
    if (d == Direction::LowerIsBetter && time_like) return up ? "slower" : "faster";
    return up ? "higher" : "lower";
}

// pp/tg-style runs store one rate in several forms: the time of each repetition (llama-bench's
// `ns`, our `duration_ms`, `test_ms`) and the phase-named alias of tok_s (prefill_tok_s,
// decode_tok_s). Once tok_s is compared, these are the same figure again.
bool same_figure_as_tok_s(const tbdb::RunRecord& run, const std::string& name) {
    if (name == "ns" || name == "duration_ms" || name == "test_ms") return true;
    const bool rate_only = run.workload == "pp" || run.workload == "tg" || run.workload == "pg";
    return rate_only && (name == "prefill_tok_s" || name == "decode_tok_s");
}

// A stored figure with a value, or nullptr.
const tbdb::Metric* valued_metric(const tbdb::RunRecord& run, const std::string& name) {
    const tbdb::Metric* m = run.metric(name);
    return m && m->value ? m : nullptr;
}

struct Figure {
    double value = 0;
    int64_t n = 0;
};

// The median of a quantity from what a run stored: its raw values, else NAME_median, else the
// figure itself when NAME is a p50 (a median by definition).
std::optional<Figure> median_figure(const tbdb::RunRecord& run, const std::vector<RawSeries>& raw,
                                    const std::string& name) {
    for (const auto& r : raw)
        if (r.name == name) return Figure{*summarize(r.values).median, static_cast<int64_t>(r.values.size())};
    if (const auto* m = valued_metric(run, name + "_median")) return Figure{*m->value, m->n};
    const std::string p50 = "_p50";
    if (name.size() > p50.size() && name.compare(name.size() - p50.size(), p50.size(), p50) == 0)
        if (const auto* m = valued_metric(run, name)) return Figure{*m->value, m->n};
    return std::nullopt;
}

}  // namespace

bool comparable(const tbdb::RunRecord& run) { return run.status == tbdb::RunStatus::Completed; }

const std::vector<std::string>& headline_metric_names() {
    static const std::vector<std::string> names = {
        "tok_s",       "prefill_tok_s", "decode_tok_s", "output_tok_s", "ttft_ms_p50",  "e2e_ms_p50",
        "tpot_ms_p50", "itl_ms_p50",    "peak_rss_mb",  "load_ms_cold", "load_ms_warm", "goodput_req_s",
        "gops",        "gb_s",          "ppl",          "kld_mean",     "same_top_pct"};
    return names;
}

std::vector<RawSeries> raw_series(const tbdb::RunRecord& run) {
    std::vector<RawSeries> out;
    for (const auto& s : run.samples)
        if (!s.values.empty()) out.push_back({s.name, s.unit, s.values});
    auto has = [&](const std::string& n) {
        return std::any_of(out.begin(), out.end(), [&](const RawSeries& r) { return r.name == n; });
    };
    RawSeries ttft{"ttft_ms", "ms", {}}, e2e{"e2e_ms", "ms", {}}, tpot{"tpot_ms", "ms", {}};
    for (const auto& q : run.requests) {
        if (q.ttft_ms) ttft.values.push_back(*q.ttft_ms);
        if (q.e2e_ms) e2e.values.push_back(*q.e2e_ms);
        if (q.ttft_ms && q.e2e_ms && q.output_tokens >= 2)
            tpot.values.push_back((*q.e2e_ms - *q.ttft_ms) / (q.output_tokens - 1));
    }
    for (RawSeries* s : {&ttft, &e2e, &tpot})
        if (!s->values.empty() && !has(s->name)) out.push_back(std::move(*s));
    return out;
}

RunComparison compare_runs(const tbdb::RunRecord& baseline, const tbdb::RunRecord& current) {
    RunComparison cmp;
    cmp.baseline = &baseline;
    cmp.current = &current;
    const auto base_raw = raw_series(baseline);
    const auto cur_raw = raw_series(current);
    std::vector<std::string> tested;
    const bool skip_forms = baseline.metric("tok_s") && current.metric("tok_s");
    for (const auto& c : cur_raw) {
        auto b = std::find_if(base_raw.begin(), base_raw.end(), [&](const RawSeries& r) { return r.name == c.name; });
        if (b == base_raw.end()) continue;
        if (skip_forms && same_figure_as_tok_s(current, c.name)) continue;
        QuantityComparison q;
        q.quantity = c.name;
        q.unit = c.unit;
        q.direction = metric_direction(c.name);
        q.statistic = "median";
        q.ratio = ratio_of_medians(b->values, c.values);
        q.test = mann_whitney_u(b->values, c.values);
        q.n_baseline = q.ratio.n_baseline;
        q.n_current = q.ratio.n_current;
        q.baseline_value = summarize(b->values).median;
        q.current_value = summarize(c.values).median;
        if (c.unit != b->unit && !c.unit.empty() && !b->unit.empty()) {
            q.verdict = "not comparable (units " + b->unit + " vs " + c.unit + ")";
        } else if (q.test->p && q.test->significant && q.ratio.ratio) {
            q.significant = true;
            q.verdict = verdict_for(q.direction, q.quantity, *q.ratio.ratio);
        } else {
            q.verdict = "no significant difference";
        }
        tested.push_back(c.name);
        cmp.rows.push_back(std::move(q));
    }
    for (const auto& name : headline_metric_names()) {
        if (std::find(tested.begin(), tested.end(), name) != tested.end()) continue;
        if (skip_forms && same_figure_as_tok_s(current, name)) continue;
        const tbdb::Metric* b = baseline.metric(name);
        const tbdb::Metric* c = current.metric(name);
        if (!b || !c) continue;
        QuantityComparison q;
        q.quantity = name;
        q.unit = c->unit;
        q.direction = metric_direction(name);
        // Raw values on one side only: compare medians when both sides have one (NAME may be a
        // mean, as tok_s is), else the same stored figure on both sides, never a mix.
        const auto bm = median_figure(baseline, base_raw, name);
        const auto cm = median_figure(current, cur_raw, name);
        if (bm && cm) {
            q.statistic = "median";
            q.baseline_value = bm->value;
            q.current_value = cm->value;
            q.n_baseline = bm->n;
            q.n_current = cm->n;
        } else {
            q.statistic = "figure";
            q.baseline_value = b->value;
            q.current_value = c->value;
            q.n_baseline = b->n;
            q.n_current = c->n;
        }
        if (q.baseline_value && q.current_value && *q.baseline_value != 0.0)
            q.ratio.ratio = *q.current_value / *q.baseline_value;
        q.verdict = "not tested (no raw samples)";
        cmp.rows.push_back(std::move(q));
    }
    return cmp;
}

}  // namespace bench
