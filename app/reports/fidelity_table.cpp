#include "app/reports/fidelity_table.h"

#include <nlohmann/json.hpp>

#include "app/reports/markdown_report.h"
#include "app/reports/run_labels.h"
#include "app/stats/text_format.h"

namespace bench {
namespace {

std::string figure(const tbdb::RunRecord& r, const char* name, const char* suffix = "") {
    const auto* m = r.metric(name);
    return m && m->value ? format_number(*m->value) + suffix : std::string("\u2014");
}

std::string file_name(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::string kl_base_label(const tbdb::RunRecord& run) {
    const auto cfg = nlohmann::json::parse(run.config_json, nullptr, false);
    if (!cfg.is_object()) return {};
    const auto it = cfg.find("kl_base");
    if (it == cfg.end() || !it->is_string()) return {};
    return file_name(it->get<std::string>());
}

std::string markdown_fidelity_section(const std::vector<const tbdb::RunRecord*>& runs) {
    std::string rows;
    for (const auto* r : runs) {
        if (r->workload != "perplexity" || r->status != tbdb::RunStatus::Completed) continue;
        const auto cfg = nlohmann::json::parse(r->config_json, nullptr, false);
        std::string chunking = "\u2014";
        if (cfg.is_object() && cfg.contains("ppl_ctx") && cfg["ppl_ctx"].is_number()) {
            chunking = std::to_string(cfg["ppl_ctx"].get<int64_t>());
            if (cfg.contains("n_chunk") && cfg["n_chunk"].is_number())
                chunking += std::string(" x ") + std::to_string(cfg["n_chunk"].get<int64_t>());
        }
        std::string model = file_name(r->model.path);
        if (!r->model.ternary_type.empty()) model += " (" + r->model.ternary_type + ")";
        std::string ppl = figure(*r, "ppl");
        if (const auto* e = r->metric("ppl_err"); e && e->value) ppl += std::string(" \u00b1 ") + format_number(*e->value);
        const std::string base = kl_base_label(*r);
        rows += markdown_row({std::string("#") + std::to_string(r->id), markdown_cell(implementation_label(*r)),
                              std::to_string(r->threads), markdown_cell(model.empty() ? "\u2014" : model), chunking, ppl,
                              figure(*r, "kld_mean"), figure(*r, "kld_p99"), figure(*r, "same_top_pct", " %"),
                              figure(*r, "tok_s"), markdown_cell(base.empty() ? "\u2014" : base)});
    }
    if (rows.empty()) return {};
    std::string out = "## Fidelity\n\n";
    out += "Perplexity by llama-perplexity's method (each chunk from an empty cache, the second half scored); "
           "KLD and same top token against the KL base named (log-probabilities of another implementation, "
           "kernel or weight type on the same tokens). Lower PPL and KLD, higher same-top % = closer.\n\n";
    out += "| run | implementation | threads | model | ctx x chunks | PPL | mean KLD | KLD p99 | same top | eval tok/s | KL base |\n";
    out += "|---|---|---:|---|---|---:|---:|---:|---:|---:|---|\n";
    return out + rows + "\n";
}

}  // namespace bench
