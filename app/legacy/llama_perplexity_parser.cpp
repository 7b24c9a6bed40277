#include "app/legacy/llama_perplexity_parser.h"

#include <cctype>
#include <cmath>
#include <regex>
#include <sstream>

#include "app/metrics/metric_builder.h"

namespace bench {
namespace {

// Terminal colour codes (ESC [ ... letter) that a log captured from a terminal may hold.
std::string strip_ansi(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\x1b' && i + 1 < s.size() && s[i + 1] == '[') {
            i += 2;
            while (i < s.size() && !std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
            continue;
        }
        out += s[i];
    }
    return out;
}

std::optional<double> number(const std::string& s) {
    try {
        size_t used = 0;
        const double v = std::stod(s, &used);
        if (used == 0) return std::nullopt;
        return v;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// "<label> : X" or "<label> : X ± E" (the label pattern may include the colon).
bool stat_line(const std::string& line, const std::regex& label, std::optional<double>& value,
               std::optional<double>* err = nullptr) {
    std::smatch m;
    static const std::regex tail(R"(^\s*:?\s*(-?[0-9.]+(?:[eE][-+]?[0-9]+)?)(?:\s*±\s*([0-9.]+(?:[eE][-+]?[0-9]+)?))?)");
    if (!std::regex_search(line, m, label)) return false;
    const std::string rest = m.suffix();
    std::smatch t;
    if (!std::regex_search(rest, t, tail)) return false;
    value = number(t[1]);
    if (err && t[2].matched) *err = number(t[2]);
    return true;
}

}  // namespace

bool looks_like_llama_perplexity(const std::string& text) {
    return text.find("Final estimate: PPL") != std::string::npos ||
           text.find("====== KL divergence statistics") != std::string::npos ||
           text.find("perplexity: calculating perplexity over") != std::string::npos ||
           text.find("kl_divergence: computing over") != std::string::npos;
}

LlamaPerplexityResult parse_llama_perplexity(const std::string& raw, const std::string& origin) {
    const std::string text = strip_ansi(raw);
    LlamaPerplexityResult r;
    static const std::regex chunk_value(R"(\[(\d+)\](-?[0-9.]+(?:[eE][-+]?[0-9]+)?|nan|inf|-nan))");
    static const std::regex final_re(R"(Final estimate: PPL = ([0-9.eE+-]+|nan|inf) \+/- ([0-9.eE+-]+|nan|inf))");
    static const std::regex over_re(R"(over (\d+) chunks, n_ctx=(\d+))");
    static const std::regex threads_re(R"(system_info: n_threads = (\d+))");
    static const std::regex build_re(R"(build: (\d+) \(([0-9a-fA-F]+)\))");
    static const std::regex perf_re(
        R"(prompt eval time\s*=\s*([0-9.]+) ms /\s*(\d+) tokens.*?([0-9.]+) tokens per second)");
    static const std::regex table_row(R"(^\s*(\d+)\s+(-?[0-9.]+)\s+±)");
    static const std::regex mean_q(R"(Mean PPL\(Q\)\s*:)"), mean_base(R"(Mean PPL\(base\)\s*:)"),
        ratio(R"(Mean PPL\(Q\)/PPL\(base\)\s*:)"), kld_mean(R"(Mean\s+KLD:)"), kld_max(R"(Maximum KLD:)"),
        kld_p99(R"(99\.0%\s+KLD:)"), kld_median(R"(Median\s+KLD:)"), rms_dp(R"(RMS Δp\s*:)"),
        same_top(R"(Same top p\s*:)");

    std::vector<double> table_ppl;
    std::string error_line;
    std::istringstream in(text);
    std::string line;
    bool in_table = false;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        std::smatch m;
        if (line.find('[') != std::string::npos)
            for (auto it = std::sregex_iterator(line.begin(), line.end(), chunk_value); it != std::sregex_iterator(); ++it) {
                const auto v = number((*it)[2]);
                r.running_ppl.push_back(v ? *v : std::nan(""));
            }
        if (std::regex_search(line, m, final_re)) {
            r.ppl = number(m[1]);
            r.ppl_err = number(m[2]);
        }
        if (std::regex_search(line, m, over_re)) {
            r.n_chunk = std::stoi(m[1]);
            r.n_ctx = std::stoi(m[2]);
            if (line.find("kl_divergence") != std::string::npos) r.kl_mode = true;
        }
        if (std::regex_search(line, m, threads_re)) r.threads = std::stoi(m[1]);
        if (r.build.empty() && std::regex_search(line, m, build_re)) {
            r.build = m[1].str() + " (" + m[2].str() + ")";
            r.commit = m[2];
        }
        if (std::regex_search(line, m, perf_re)) {
            r.prompt_tokens = number(m[2]);
            r.prompt_tok_s = number(m[3]);
        }
        if (line.find("chunk") != std::string::npos && line.find("PPL") != std::string::npos &&
            line.find("KL Divergence") != std::string::npos) {
            in_table = true;
            r.kl_mode = true;
            continue;
        }
        if (in_table) {
            if (std::regex_search(line, m, table_row)) {
                if (auto v = number(m[2])) table_ppl.push_back(*v);
            } else if (!line.empty()) {
                in_table = false;
            }
        }
        // Order matters: the ratio line also starts with "Mean PPL(Q)".
        if (stat_line(line, ratio, r.ppl_ratio)) continue;
        if (stat_line(line, mean_q, r.ppl, &r.ppl_err)) continue;
        if (stat_line(line, mean_base, r.ppl_base)) continue;
        if (stat_line(line, kld_mean, r.kld_mean)) continue;
        if (stat_line(line, kld_max, r.kld_max)) continue;
        if (stat_line(line, kld_p99, r.kld_p99)) continue;
        if (stat_line(line, kld_median, r.kld_median)) continue;
        if (stat_line(line, rms_dp, r.dp_rms_pct)) continue;
        if (stat_line(line, same_top, r.same_top_pct)) continue;
        const bool error = line.find("error") != std::string::npos || line.find("need at least") != std::string::npos ||
                           line.find("failed to") != std::string::npos || line.find("tokenizes to only") != std::string::npos;
        if (error) error_line = line;
    }
    if (r.running_ppl.empty()) r.running_ppl = table_ppl;
    // Every chunk scores the same number of tokens, so chunk k's mean NLL is
    // k * log(running_k) - (k - 1) * log(running_k-1).
    double prev = 0;
    for (size_t k = 0; k < r.running_ppl.size(); ++k) {
        const double cur = std::log(r.running_ppl[k]);
        r.chunk_ppl.push_back(std::exp(double(k + 1) * cur - double(k) * prev));
        prev = cur;
    }
    if (!r.has_result()) {
        std::string msg = origin + ": no perplexity result (no \"Final estimate: PPL\" line and no KL statistics)";
        if (!error_line.empty()) msg += "; llama-perplexity said: " + error_line.substr(0, 300);
        throw LlamaPerplexityError(msg);
    }
    return r;
}

void LlamaPerplexityResult::add_metrics(std::vector<tbdb::Metric>& out) const {
    metrics::MetricBuilder mb(out);
    std::optional<int64_t> scored;
    if (n_ctx && n_chunk) scored = int64_t(*n_chunk) * (*n_ctx - 1 - *n_ctx / 2);
    const int64_t n = scored.value_or(0);
    const std::string from = "as printed by llama-perplexity";
    if (ppl) {
        mb.add("ppl", ppl, "", n, from);
        mb.add("ppl_err", ppl_err, "", n, from);
        if (*ppl > 0) mb.add("nll_mean", std::log(*ppl), "nats", n, "log of the printed PPL");
    }
    if (scored) mb.add("scored_tokens", double(*scored), "tokens", n, "positions ctx/2 .. ctx-2 of every chunk");
    if (n_chunk) mb.add("n_chunks", double(*n_chunk), "chunks", *n_chunk);
    if (prompt_tok_s)
        mb.add("tok_s", prompt_tok_s, "tok/s", int64_t(prompt_tokens.value_or(0)),
               "llama_perf_context_print's prompt eval rate (all chunks)");
    auto kl = [&](const char* name, const std::optional<double>& v, const char* unit) {
        if (v) mb.add(name, v, unit, n, from);
    };
    kl("kld_mean", kld_mean, "nats");
    kl("kld_median", kld_median, "nats");
    kl("kld_p99", kld_p99, "nats");
    kl("kld_max", kld_max, "nats");
    kl("same_top_pct", same_top_pct, "%");
    kl("dp_rms_pct", dp_rms_pct, "%");
    kl("ppl_base", ppl_base, "");
    kl("ppl_ratio", ppl_ratio, "");
}

}  // namespace bench
