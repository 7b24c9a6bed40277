#include "app/reports/markdown_report.h"

// GCC 12 at -O3 warns falsely (-Wrestrict, GCC bug 105651) on "literal" + std::string&&, which
// this file uses throughout to build text.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic ignored "-Wrestrict"
#endif

#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "app/reports/busy_machine.h"
#include "app/reports/comparison.h"
#include "app/reports/fidelity_table.h"
#include "app/reports/pairing.h"
#include "app/reports/run_config.h"
#include "app/reports/run_labels.h"
#include "app/reports/side_by_side.h"
#include "app/stats/text_format.h"

namespace bench {
namespace {

const char* kDash = "\u2014";

std::string or_dash(const std::string& s) { return s.empty() ? std::string(kDash) : markdown_cell(s); }

std::string table_head(const std::vector<std::string>& names, const std::vector<bool>& numeric = {}) {
    std::string s = markdown_row(names) + "|";
    for (size_t i = 0; i < names.size(); ++i) s += (i < numeric.size() && numeric[i]) ? "---:|" : "---|";
    return s + "\n";
}

std::string p_text(double p) { return p < 0.001 ? std::string("p < 0.001") : "p = " + format_fixed(p, 3); }

std::string ratio_text(const RatioResult& r) {
    if (!r.ratio) return kDash;
    std::string s = format_fixed(*r.ratio, 3) + "x";
    if (r.ci95_low && r.ci95_high) s += " [" + format_fixed(*r.ci95_low, 3) + ", " + format_fixed(*r.ci95_high, 3) + "]";
    return s;
}

std::string significance_text(const QuantityComparison& q) {
    if (!q.test || !q.test->p) return q.verdict;
    std::string s = q.verdict + " (" + p_text(*q.test->p) + ", n = " + std::to_string(q.n_baseline) + " vs " +
                    std::to_string(q.n_current) + ")";
    if (!q.test->warning.empty()) s += " \u26a0 fewer than 9 samples";
    return s;
}

// A run that is not compared: its status and, when failed, why.
std::string not_compared_text(const tbdb::RunRecord& r) {
    std::string s = tbdb::status_name(r.status);
    if (!r.error.empty()) s += ": " + r.error;
    return markdown_cell(s);
}

std::string value_with_unit(const std::optional<double>& v, const std::string& unit) {
    if (!v) return kDash;
    return unit.empty() ? format_number(*v) : format_number(*v) + " " + unit;
}

std::string repetitions_text(const tbdb::RunRecord& r) {
    std::string s;
    for (const auto& series : r.samples) {
        if (!s.empty()) s += ", ";
        s += series.name + ": " + std::to_string(series.values.size());
    }
    if (!r.requests.empty()) s += (s.empty() ? "" : ", ") + std::to_string(r.requests.size()) + " requests";
    return s.empty() ? std::string("summary figures only (no raw samples)") : s;
}

void environment_section(std::string& out, const std::vector<const tbdb::RunRecord*>& runs) {
    out += "## Environment\n\n";
    out += table_head({"run", "implementation", "threads", "host", "CPU", "cores (phys/log)", "OS / kernel",
                       "model", "model sha256"});
    for (const auto* r : runs) {
        const std::string cores = r->host.physical_cores || r->host.logical_cores
                                      ? std::to_string(r->host.physical_cores) + "/" + std::to_string(r->host.logical_cores)
                                      : std::string(kDash);
        std::string os = r->host.os;
        if (!r->host.kernel.empty()) os += (os.empty() ? "" : " / ") + r->host.kernel;
        out += markdown_row({"#" + std::to_string(r->id), markdown_cell(implementation_label(*r)), std::to_string(r->threads),
                    or_dash(r->host.hostname), or_dash(r->host.cpu_model), cores, or_dash(os), or_dash(r->model.path),
                    or_dash(r->model.sha256)});
    }
    std::set<std::string> flags;
    for (const auto* r : runs)
        if (!r->host.cpu_flags.empty()) flags.insert(r->host.cpu_flags);
    for (const auto& f : flags) out += "\nCPU features: " + markdown_cell(f) + "\n";
    out += "\n";
}

// Every completed run's configuration key (run_config.h): ratios join runs of one experiment only.
void configuration_section(std::string& out, const std::vector<const tbdb::RunRecord*>& runs) {
    out += "## Configurations\n\n";
    out += table_head({"run", "implementation", "configuration key"});
    for (const auto* r : runs)
        if (comparable(*r))   // a failed run is never paired; its status says enough
            out += markdown_row({"#" + std::to_string(r->id), markdown_cell(implementation_label(*r)),
                                 "`" + markdown_cell(run_config(*r).key()) + "`"});
    out += "\n";
}

// Which program and build made each external run, and how its implementation was told.
void programs_section(std::string& out, const std::vector<const tbdb::RunRecord*>& runs) {
    std::string rows;
    for (const auto* r : runs) {
        if (!r->kernel.empty()) continue;   // our own engine
        const auto cfg = nlohmann::json::parse(r->config_json, nullptr, false);
        auto text = [&](const char* key) -> std::string {
            if (!cfg.is_object() || !cfg.contains(key) || cfg[key].is_null()) return {};
            return cfg[key].is_string() ? cfg[key].get<std::string>() : cfg[key].dump();
        };
        std::string build = r->impl_version;
        if (const std::string number = text("build_number"); !number.empty())
            build += (build.empty() ? "" : ", ") + std::string("build ") + number;
        std::string program = r->source;
        if (program.rfind("baseline:", 0) == 0) program = "ran " + program.substr(9);
        else if (program.rfind("import:", 0) == 0) program = "imported from " + program.substr(7);
        rows += markdown_row({"#" + std::to_string(r->id), or_dash(r->implementation), or_dash(build),
                              or_dash(program), or_dash(text("implementation_detected_by"))});
    }
    if (rows.empty()) return;
    out += "## Programs and builds\n\n";
    out += table_head({"run", "implementation", "build", "program", "implementation told by"}) + rows + "\n";
}

void method_section(std::string& out, const std::vector<const tbdb::RunRecord*>& runs) {
    out += "## Method\n\n";
    out += "- TTFT = first generated token available - request submitted; E2E = last token available - request "
           "submitted; TPOT = (E2E - TTFT) / (output_tokens - 1); ITL = every gap between consecutive output tokens.\n";
    out += "- Output throughput = sum of output tokens / (last token time - first submit time); prefill and decode "
           "tok/s are reported apart. pp/tg tok/s = mean of the per-repetition rates (as llama-bench reports it).\n";
    out += "- Percentiles p50/p90/p95/p99/p99.9 by linear interpolation between order statistics (numpy's "
           "default); a tail percentile needs >= 100 / min(p, 100 - p) samples (p99: 100, p99.9: 1000), else it "
           "is shown missing.\n";
    out += "- Summaries: n, mean, median, sample stddev (n - 1), min, max, 95% CI of the mean (Student t).\n";
    out += "- Comparisons: ratio = median(current) / median(baseline), 95% CI by a seeded percentile bootstrap "
           "(2000 resamples); two-sided Mann-Whitney U test (exact without ties up to 40 values, else normal "
           "approximation with tie and continuity correction), alpha 0.05. Only significant differences are "
           "called faster/slower; fewer than 9 samples on a side are flagged (little power).\n";
    out += "- Peak RSS = VmHWM from /proc (anon and file memory apart); CPU utilization = delta(utime + stime) / "
           "delta(wall).\n";
    out += "- Figures that could not be measured are missing (" + std::string(kDash) + "), never estimated.\n\n";
    out += "Repetitions behind each run:\n\n";
    for (const auto* r : runs)
        out += "- #" + std::to_string(r->id) + " " + markdown_cell(workload_label(*r)) + ": " +
               markdown_cell(repetitions_text(*r)) + "\n";
    out += "\n";
}

}  // namespace

std::string markdown_cell(const std::string& text) {
    std::string s;
    for (char c : text) {
        if (c == '|') s += "\\|";
        else if (c == '\n' || c == '\r') s += ' ';
        else s += c;
    }
    return s;
}

std::string markdown_row(const std::vector<std::string>& cells) {
    std::string s = "|";
    for (const auto& c : cells) s += " " + c + " |";
    return s + "\n";
}

std::string markdown_comparison_report(const ReportInput& in) {
    std::string out = "# " + markdown_cell(in.title) + "\n\n";
    // Pair every current run with its baseline once.
    struct Pair {
        const tbdb::RunRecord* run;
        const tbdb::RunRecord* base;
        BaselinePairing pairing;
        RunComparison cmp;
    };
    std::vector<Pair> pairs;
    std::set<int64_t> baseline_ids;
    for (const auto& b : in.baselines) baseline_ids.insert(b.id);
    // A run that is itself one of the baselines is the reference, not a run lacking one.
    auto is_baseline = [&](const tbdb::RunRecord& r) { return r.id > 0 && baseline_ids.count(r.id) > 0; };
    for (const auto& r : in.runs) {
        Pair p{&r, nullptr, {}, {}};
        if (comparable(r) && !is_baseline(r)) p.pairing = pair_with_baseline(r, in.baselines);
        p.base = p.pairing.baseline;
        if (p.base) p.cmp = compare_runs(*p.base, r);
        pairs.push_back(std::move(p));
    }

    out += "## Executive summary\n\n";
    if (in.runs.empty()) out += "No runs selected.\n\n";
    int not_completed = 0;
    for (const auto& p : pairs)
        if (!comparable(*p.run)) ++not_completed;
    const std::string failed_note =
        not_completed ? std::to_string(not_completed) + " run(s) failed or did not complete (listed, not compared).\n"
                      : std::string();
    if (in.baselines.empty()) {
        out += "No baseline pinned: figures are listed without comparison.\n\n";
        if (!failed_note.empty()) out += failed_note + "\n";
    } else {
        out += "Baseline: " + markdown_cell(in.baseline_label.empty() ? std::string("pinned runs") : in.baseline_label) +
               ".\n\n";
        std::string findings;   // the significant differences, one bullet each
        int not_significant = 0, untested = 0, low_power = 0, no_baseline = 0, by_name = 0;
        for (const auto& p : pairs) {
            if (!comparable(*p.run) || is_baseline(*p.run)) continue;
            if (!p.base) {
                ++no_baseline;
                continue;
            }
            if (p.pairing.matched_by_name) ++by_name;
            for (const auto& q : p.cmp.rows) {
                if (q.significant) {
                    findings += "- **#" + std::to_string(p.run->id) + " " + markdown_cell(workload_label(*p.run)) + ", " +
                                markdown_cell(implementation_label(*p.run)) + ", " + std::to_string(p.run->threads) +
                                " threads, " + q.quantity + "**: " + q.statistic + " " + ratio_text(q.ratio) +
                                " the baseline's " + q.statistic + " (" + markdown_cell(implementation_label(*p.base)) +
                                ", run #" + std::to_string(p.base->id) + "): **" + q.verdict + "** (" +
                                p_text(*q.test->p) + ", Mann-Whitney U, n = " + std::to_string(q.n_baseline) + " vs " +
                                std::to_string(q.n_current) + ")\n";
                } else if (q.test) {
                    ++not_significant;
                    if (!q.test->warning.empty()) ++low_power;
                } else {
                    ++untested;
                }
            }
        }
        std::string notes;
        if (not_significant)
            notes += std::to_string(not_significant) + " comparison(s) show no significant difference" +
                     (low_power ? " (" + std::to_string(low_power) +
                                      " with fewer than 9 samples on a side, where the test can hardly reach significance)"
                                : std::string()) +
                     ".\n";
        if (untested) notes += std::to_string(untested) + " figure(s) without raw samples could not be tested.\n";
        if (no_baseline)
            notes += std::to_string(no_baseline) +
                     " run(s) have no baseline of the same configuration (model, test, threads, settings) and are "
                     "not compared; the tables name the nearest candidate and what differs.\n";
        if (by_name)
            notes += std::to_string(by_name) +
                     " pair(s) matched by name: one side has no model sha256, so the model was matched by file "
                     "name and parameter count.\n";
        notes += failed_note;
        // Each block ends with one blank line; an empty block adds none.
        if (!findings.empty()) out += findings + "\n";
        if (!notes.empty()) out += notes + "\n";
    }

    out += "## Results by workload\n\n";
    std::map<std::string, std::vector<const Pair*>> by_workload;
    for (const auto& p : pairs) by_workload[p.run->workload].push_back(&p);
    for (const auto& [workload, list] : by_workload) {
        out += "### " + markdown_cell(workload) + "\n\n";
        if (in.baselines.empty()) {
            out += table_head({"run", "test", "implementation", "threads", "figure", "value", "n"},
                              {false, false, false, true, false, true, true});
            for (const auto* p : list) {
                if (!comparable(*p->run)) {
                    out += markdown_row({"#" + std::to_string(p->run->id), markdown_cell(workload_label(*p->run)),
                                markdown_cell(implementation_label(*p->run)), std::to_string(p->run->threads),
                                not_compared_text(*p->run), kDash, kDash});
                    continue;
                }
                for (const auto& name : headline_metric_names())
                    if (const auto* m = p->run->metric(name))
                        out += markdown_row({"#" + std::to_string(p->run->id), markdown_cell(workload_label(*p->run)),
                                    markdown_cell(implementation_label(*p->run)), std::to_string(p->run->threads),
                                    name, value_with_unit(m->value, m->unit), std::to_string(m->n)});
            }
            out += "\n";
            continue;
        }
        out += table_head({"run", "test", "threads", "quantity", "statistic", "baseline", "current", "ratio [95% CI]",
                           "significance"},
                          {false, false, true, false, false, true, true, true, false});
        for (const auto* p : list) {
            const std::string who = "#" + std::to_string(p->run->id) + " " + markdown_cell(implementation_label(*p->run));
            const std::string test = markdown_cell(workload_label(*p->run)), threads = std::to_string(p->run->threads);
            if (!comparable(*p->run)) {
                out += markdown_row({who, test, threads, kDash, kDash, kDash, kDash, kDash, not_compared_text(*p->run)});
                continue;
            }
            if (is_baseline(*p->run)) {
                out += markdown_row({who, test, threads, kDash, kDash, kDash, kDash, kDash, "baseline run (the reference)"});
                continue;
            }
            if (!p->base) {
                out += markdown_row({who, test, threads, kDash, kDash, kDash, kDash, kDash,
                            markdown_cell(p->pairing.explanation())});
                continue;
            }
            const std::string pair = who + " vs #" + std::to_string(p->base->id) +
                                     (p->pairing.matched_by_name ? " (matched by name)" : "");
            for (const auto& q : p->cmp.rows)
                out += markdown_row({pair, test, threads, markdown_cell(quantity_label(q.quantity, q.unit)), q.statistic,
                            value_with_unit(q.baseline_value, {}), value_with_unit(q.current_value, {}),
                            ratio_text(q.ratio), markdown_cell(significance_text(q))});
            if (p->cmp.rows.empty()) out += markdown_row({pair, test, threads, kDash, kDash, kDash, kDash, kDash, "no common quantity"});
        }
        out += "\n";
    }

    std::vector<const tbdb::RunRecord*> all;
    std::set<std::string> seen;
    for (const auto& p : pairs) {
        if (seen.insert(p.run->uuid + "#" + std::to_string(p.run->id)).second) all.push_back(p.run);
        if (p.base && seen.insert(p.base->uuid + "#" + std::to_string(p.base->id)).second) all.push_back(p.base);
    }
    {
        std::vector<const tbdb::RunRecord*> current, baselines;
        for (const auto& r : in.runs) current.push_back(&r);
        for (const auto& b : in.baselines) baselines.push_back(&b);
        out += markdown_side_by_side(current, baselines);
    }
    out += markdown_fidelity_section(all);
    environment_section(out, all);
    configuration_section(out, all);
    programs_section(out, all);
    method_section(out, all);
    if (!in.chart_paths.empty()) {
        out += "## Charts\n\n";
        for (const auto& path : in.chart_paths) {
            const auto slash = path.find_last_of('/');
            const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
            out += "![" + markdown_cell(name) + "](" + path + ")\n\n";
        }
    }
    return out;
}

std::string markdown_run_report(const tbdb::RunRecord& r) {
    std::string out = "# Run #" + std::to_string(r.id) + ": " + markdown_cell(workload_label(r)) + "\n\n";
    out += table_head({"property", "value"});   // an empty header row reads as a blank line
    out += markdown_row({"uuid", or_dash(r.uuid)});
    out += markdown_row({"status", tbdb::status_name(r.status)});
    out += markdown_row({"workload", or_dash(r.workload)});
    out += markdown_row({"implementation", markdown_cell(implementation_label(r))});
    out += markdown_row({"kernel", or_dash(r.kernel)});
    out += markdown_row({"threads", std::to_string(r.threads)});
    out += markdown_row({"model", or_dash(r.model.path)});
    out += markdown_row({"model sha256", or_dash(r.model.sha256)});
    out += markdown_row({"host", or_dash(r.host.hostname)});
    out += markdown_row({"CPU", or_dash(r.host.cpu_model)});
    out += markdown_row({"started", or_dash(r.started_at)});
    out += markdown_row({"finished", or_dash(r.finished_at)});
    out += markdown_row({"source", or_dash(r.source)});
    if (!r.error.empty()) out += markdown_row({"error", markdown_cell(r.error)});
    if (const auto busy = busy_machine_note(r)) out += "\n**" + *busy + "**\n";
    out += "\n## Figures\n\n";
    if (r.metrics.empty()) {
        out += "No figures were recorded.\n\n";
    } else {
        out += table_head({"metric", "value", "unit", "n", "note"}, {false, true, false, true, false});
        for (const auto& m : r.metrics)
            out += markdown_row({markdown_cell(m.name), m.value ? format_number(*m.value) : std::string(kDash), or_dash(m.unit),
                        std::to_string(m.n), markdown_cell(m.note)});
        out += "\n";
    }
    if (!r.samples.empty() || !r.requests.empty())
        out += "Raw data: " + markdown_cell(repetitions_text(r)) + ".\n";
    return out;
}

}  // namespace bench
