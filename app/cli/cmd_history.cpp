// list, show, compare, export, import, baseline pin/list, db check.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "app/core/store_import.h"
#include "app/reports/baseline_resolve.h"
#include "app/reports/comparison.h"
#include "app/reports/pairing.h"
#include "app/reports/export_writer.h"
#include "app/reports/json_export.h"
#include "app/reports/markdown_report.h"
#include "app/reports/run_labels.h"
#include "app/stats/text_format.h"
#include "db/run_store.h"
#include "db/store_checks.h"

namespace bench::cli {
namespace {

std::optional<tbdb::RunRecord> load_ref(const tbdb::RunStore& store, const std::string& ref) {
    if (!ref.empty() && std::all_of(ref.begin(), ref.end(), ::isdigit)) return store.load_run(std::stoll(ref));
    return store.load_run(ref);
}

tbdb::RunRecord summary_to_record(const tbdb::RunSummary& s) {
    tbdb::RunRecord r;
    r.id = s.id;
    r.uuid = s.uuid;
    r.started_at = s.started_at;
    r.workload = s.workload;
    r.implementation = s.implementation;
    r.kernel = s.kernel;
    r.status = tbdb::status_from_name(s.status).value_or(tbdb::RunStatus::Failed);
    r.threads = s.threads;
    r.model.path = s.model_path;
    r.model.sha256 = s.model_sha256;
    r.error = s.error;
    r.source = s.source;
    r.metrics = s.metrics;
    return r;
}

// The figure a list line shows first: what the workload is about.
std::string headline(const tbdb::RunSummary& s) {
    for (const char* name : {"tok_s", "output_tok_s", "goodput_req_s", "load_ms_cold", "e2e_ms_p50", "read_bandwidth_gbs"})
        if (const tbdb::Metric* m = tbdb::find_metric(s.metrics, name); m && m->value)
            return std::string(name) + "=" + format_number(*m->value) + " " + m->unit;
    return "";
}

std::string opt_text(const std::optional<double>& v) { return format_or_dash(v); }

}  // namespace

int cmd_list(const HistoryArgs& a) {
    tbdb::RunStore store(a.db);
    tbdb::RunFilter f;
    if (!a.workload.empty()) f.workload = a.workload;
    if (a.last > 0) f.last_n = a.last;
    const auto runs = store.list_runs(f);
    if (a.json) {
        std::vector<tbdb::RunRecord> recs;
        for (const auto& s : runs) recs.push_back(summary_to_record(s));
        auto j = run_to_json(recs);
        for (size_t i = 0; i < runs.size(); ++i) j["runs"][i]["started_at"] = runs[i].started_at;
        std::cout << j.dump(2) << std::endl;
        return kOk;
    }
    std::printf("%-5s %-24s %-8s %-18s %-11s %-3s %s\n", "id", "started", "workload", "implementation",
                "status", "thr", "headline");
    for (const auto& s : runs)
        std::printf("%-5lld %-24s %-8s %-18s %-11s %-3d %s\n", (long long)s.id, s.started_at.c_str(),
                    s.workload.c_str(), s.implementation.c_str(), s.status.c_str(), s.threads,
                    headline(s).c_str());
    return kOk;
}

int cmd_show(const HistoryArgs& a) {
    tbdb::RunStore store(a.db);
    auto run = load_ref(store, a.refs.at(0));
    if (!run) {
        std::cerr << "ternbench show: no run " << a.refs.at(0) << " in " << a.db << "\n";
        return kInputError;
    }
    if (a.json) std::cout << run_to_json(*run).dump(2) << std::endl;
    else std::cout << markdown_run_report(*run) << std::endl;
    return kOk;
}

int cmd_compare(const HistoryArgs& a) {
    tbdb::RunStore store(a.db);
    auto base = load_ref(store, a.refs.at(0));
    auto cur = load_ref(store, a.refs.at(1));
    for (const auto* ref : {&a.refs[0], &a.refs[1]})
        if (!load_ref(store, *ref)) {
            std::cerr << "ternbench compare: no run " << *ref << " in " << a.db << "\n";
            return kInputError;
        }
    // A failed run or one without figures has nothing to compare: no empty table, exit 1.
    for (const auto* run : {&*base, &*cur}) {
        const bool has_figures = std::any_of(run->metrics.begin(), run->metrics.end(),
                                             [](const tbdb::Metric& m) { return m.value.has_value(); });
        if (run->status == tbdb::RunStatus::Failed || !has_figures) {
            std::cerr << "ternbench compare: run #" << run->id << " is " << tbdb::status_name(run->status)
                      << (has_figures ? "" : " and has no figures") << "; nothing to compare"
                      << (run->error.empty() ? "" : " (" + run->error + ")") << "\n";
            return kRunFailed;
        }
    }
    const auto cmp = compare_runs(*base, *cur);
    // Two named runs are compared as asked, but a ratio across configurations is said to be one.
    const ConfigMatch match = match_configs(run_config(*cur), run_config(*base));
    if (!match.same)
        std::cerr << "warning: #" << base->id << " and #" << cur->id
                  << " are not the same configuration (" << match.differences_text()
                  << "): the ratios compare different experiments, not implementations\n";
    else if (match.matched_by_name)
        std::cerr << "note: the model was matched by file name and parameter count (no sha256 on one side)\n";
    if (a.json) {
        nlohmann::json rows = nlohmann::json::array();
        for (const auto& r : cmp.rows) {
            nlohmann::json row = {{"quantity", r.quantity}, {"unit", r.unit}, {"statistic", r.statistic},
                                  {"baseline", r.baseline_value ? nlohmann::json(*r.baseline_value) : nlohmann::json()},
                                  {"current", r.current_value ? nlohmann::json(*r.current_value) : nlohmann::json()},
                                  {"n_baseline", r.n_baseline}, {"n_current", r.n_current},
                                  {"ratio", r.ratio.ratio ? nlohmann::json(*r.ratio.ratio) : nlohmann::json()},
                                  {"ratio_ci95_low", r.ratio.ci95_low ? nlohmann::json(*r.ratio.ci95_low) : nlohmann::json()},
                                  {"ratio_ci95_high", r.ratio.ci95_high ? nlohmann::json(*r.ratio.ci95_high) : nlohmann::json()},
                                  {"significant", r.significant}, {"verdict", r.verdict}};
            if (r.test) {
                row["p_value"] = r.test->p ? nlohmann::json(*r.test->p) : nlohmann::json();
                row["mann_whitney_u"] = r.test->u;
                if (!r.test->warning.empty()) row["warning"] = r.test->warning;
            }
            rows.push_back(row);
        }
        const nlohmann::json configuration = {{"same", match.same},
                                              {"matched_by_name", match.matched_by_name},
                                              {"differences", match.differences},
                                              {"baseline_key", run_config(*base).key()},
                                              {"current_key", run_config(*cur).key()}};
        std::cout << nlohmann::json{{"baseline", base->id}, {"current", cur->id}, {"configuration", configuration},
                                    {"rows", rows}}
                         .dump(2)
                  << std::endl;
        return kOk;
    }
    std::printf("baseline #%lld (%s, %s) vs current #%lld (%s, %s)\n", (long long)base->id,
                workload_label(*base).c_str(), base->implementation.c_str(), (long long)cur->id,
                workload_label(*cur).c_str(), cur->implementation.c_str());
    if (!match.same)
        std::printf("NOT the same configuration: %s\n", match.differences_text().c_str());
    std::printf("%-22s %-9s %12s %12s %22s %8s  %s\n", "quantity", "statistic", "baseline", "current",
                "ratio [95% CI]", "p", "verdict");
    for (const auto& r : cmp.rows) {
        std::string ratio = opt_text(r.ratio.ratio);
        if (r.ratio.ci95_low && r.ratio.ci95_high)
            ratio += " [" + format_number(*r.ratio.ci95_low) + ", " + format_number(*r.ratio.ci95_high) + "]";
        const std::string p = r.test && r.test->p ? format_number(*r.test->p) : "—";
        std::printf("%-22s %-9s %12s %12s %22s %8s  %s\n",
                    (r.quantity + (r.unit.empty() ? "" : " " + r.unit)).c_str(), r.statistic.c_str(),
                    opt_text(r.baseline_value).c_str(), opt_text(r.current_value).c_str(), ratio.c_str(),
                    p.c_str(), r.verdict.c_str());
        if (r.test && !r.test->warning.empty()) std::printf("%-22s   note: %s\n", "", r.test->warning.c_str());
    }
    return kOk;
}

int cmd_export(const ExportArgs& a) {
    auto format = export_format_from_name(a.format);
    if (!format) {
        std::cerr << "ternbench export: unknown format " << a.format << " (md|csv|json)\n";
        return kUsage;
    }
    tbdb::RunStore store(a.db);
    tbdb::RunFilter f;
    if (!a.workload.empty()) f.workload = a.workload;
    if (a.last > 0) f.last_n = a.last;
    if (!a.runs.empty()) {
        std::stringstream ss(a.runs);
        std::string id;
        while (std::getline(ss, id, ',')) {
            if (id.empty() || !std::all_of(id.begin(), id.end(), ::isdigit)) {
                std::cerr << "ternbench export: --runs takes comma-separated run ids, got " << a.runs << "\n";
                return kUsage;
            }
            f.ids.push_back(std::stoll(id));
        }
    }
    ReportInput input;
    for (const auto& s : store.list_runs(f))
        if (auto r = store.load_run(s.id)) input.runs.push_back(std::move(*r));
    if (input.runs.empty()) {
        std::cerr << "ternbench export: no runs match\n";
        return kInputError;
    }
    const ResolvedBaseline baseline = resolve_baseline(store, a.baseline);
    if (!baseline.ok()) {
        std::cerr << "ternbench export: " << baseline.error << "\n";
        return kInputError;
    }
    input.baselines = baseline.runs;
    input.baseline_label = baseline.label;
    const auto files = write_export(*format, input, a.out);
    for (const auto& p : files) std::cout << p << "\n";
    return kOk;
}

int cmd_import(const std::string& db, const std::string& file, const std::string& format,
               const std::string& implementation) {
    ImportOptions opt;
    auto fmt = import_format_from_name(format);
    if (!fmt) {
        std::cerr << "ternbench import: unknown format " << format << "\n";
        return kUsage;
    }
    opt.format = *fmt;
    opt.implementation = implementation;
    tbdb::RunStore store(db);
    const FileImportOutcome res = import_into_store(store, file, opt);
    for (const auto& w : res.warnings) std::cerr << "warning: " << w << "\n";
    if (res.failure == ImportFailure::Input) {
        std::cerr << "ternbench import: " << res.error << "\n";
        return kInputError;
    }
    if (res.failure == ImportFailure::Store) {
        std::cerr << "ternbench: database error: " << res.error << "\n";
        return kStoreError;
    }
    std::cout << "imported " << res.imported_ids.size() << " run(s) from " << file << " ("
              << import_format_name(res.format) << ")";
    if (!res.imported_ids.empty()) std::cout << ":";
    for (auto id : res.imported_ids) std::cout << " #" << id;
    if (!res.already_stored_ids.empty()) {
        std::cout << "; " << res.already_stored_ids.size() << " already stored:";
        for (auto id : res.already_stored_ids) std::cout << " #" << id;
    }
    if (!res.replaced_ids.empty()) {
        std::cout << "; replacing the unfinished row(s)";
        for (auto id : res.replaced_ids) std::cout << " #" << id;
    }
    std::cout << std::endl;
    return kOk;
}

int cmd_baseline_pin(const std::string& db, const std::string& ref) {
    tbdb::RunStore store(db);
    if (std::all_of(ref.begin(), ref.end(), ::isdigit)) {
        if (!store.load_run(std::stoll(ref))) {
            std::cerr << "ternbench baseline pin: no run " << ref << " in " << db << "\n";
            return kInputError;
        }
        store.pin_run(std::stoll(ref));
        std::cout << "pinned run #" << ref << " as the baseline\n";
    } else {
        store.pin_implementation(ref);
        std::cout << "pinned implementation " << ref << " as the baseline\n";
    }
    return kOk;
}

int cmd_baseline_list(const std::string& db, bool json) {
    tbdb::RunStore store(db);
    const auto pins = store.baselines();
    const auto current = store.current_baseline();
    if (json) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& b : pins)
            arr.push_back({{"id", b.id},
                           {"run_id", b.run_id ? nlohmann::json(*b.run_id) : nlohmann::json()},
                           {"implementation", b.implementation ? nlohmann::json(*b.implementation) : nlohmann::json()},
                           {"created_at", b.created_at},
                           {"current", current && current->id == b.id}});
        std::cout << nlohmann::json{{"baselines", arr}}.dump(2) << std::endl;
        return kOk;
    }
    for (const auto& b : pins)
        std::cout << (current && current->id == b.id ? "* " : "  ") << "#" << b.id << " "
                  << (b.run_id ? "run " + std::to_string(*b.run_id) : "implementation " + b.implementation.value_or(""))
                  << "  " << b.created_at << "\n";
    if (pins.empty()) std::cout << "no baseline pinned\n";
    return kOk;
}

int cmd_db_check(const std::string& db) {
    tbdb::RunStore store(db);
    auto problems = store.integrity_check();
    for (auto& p : tbdb::schema_problems(db)) problems.push_back("schema: " + p);
    if (problems.empty()) {
        std::cout << "ok: " << db << " (schema version " << store.user_version() << ", "
                  << store.count_runs() << " runs)\n";
        return kOk;
    }
    for (const auto& p : problems) std::cerr << p << "\n";
    return kStoreError;
}

}  // namespace bench::cli
