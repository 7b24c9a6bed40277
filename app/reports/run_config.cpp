#include "app/reports/run_config.h"

// GCC 12 at -O3 warns falsely (-Wrestrict, GCC bug 105651) on "literal" + std::string&&.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic ignored "-Wrestrict"
#endif

#include <algorithm>
#include <cstdio>
#include <set>

#include <nlohmann/json.hpp>

#include "app/core/benchmark_spec.h"
#include "app/legacy/implementation_detect.h"
#include "app/stats/text_format.h"

namespace bench {
namespace {

using json = nlohmann::json;

std::string basename_of(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// A llama-bench line (imported or run by `baseline run`) rather than one of our specs.
bool is_llama_bench_config(const json& cfg) {
    return cfg.contains("implementation_detected_by") || cfg.contains("n_threads") || cfg.contains("build_commit");
}

std::string value_text(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return v.get<bool>() ? "1" : "0";
    if (v.is_number_float()) return format_number(v.get<double>());
    return v.dump();
}

int64_t int_of(const json& cfg, const char* key) {
    auto it = cfg.find(key);
    if (it == cfg.end()) return 0;
    if (it->is_number()) return it->get<int64_t>();
    if (it->is_string()) {
        try {
            return std::stoll(it->get<std::string>());
        } catch (...) {
        }
    }
    return 0;
}

// 0.7f -> "0.7": a float setting as typed, not as stored.
std::string compact(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

// FNV-1a, 16 bits shown: tells prompt sets apart without printing them.
std::string short_hash(const std::vector<std::string>& texts) {
    uint64_t h = 1469598103934665603ull;
    for (const auto& t : texts) {
        for (unsigned char c : t) h = (h ^ c) * 1099511628211ull;
        h = (h ^ 0xff) * 1099511628211ull;
    }
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04x", static_cast<unsigned>(h & 0xffff));
    return buf;
}

std::string test_label(const std::string& workload, const json& cfg) {
    const int64_t n_prompt = int_of(cfg, "n_prompt"), n_gen = int_of(cfg, "n_gen"), depth = int_of(cfg, "n_depth");
    std::string label;
    if (workload == "pp") label = "pp" + std::to_string(n_prompt);
    else if (workload == "tg") label = "tg" + std::to_string(n_gen);
    else if (workload == "pg") label = "pp" + std::to_string(n_prompt) + "+tg" + std::to_string(n_gen);
    if (!label.empty()) return depth > 0 ? label + " @ d" + std::to_string(depth) : label;
    return label;
}

// The test of one of our specs: the workload and the sizes it reads.
std::string spec_test(const BenchmarkSpec& s) {
    std::string prompts;
    if (!s.prompts_file.empty()) prompts = "prompts " + basename_of(s.prompts_file);
    else {
        const auto list = s.prompts.empty() ? default_prompts() : s.prompts;
        prompts = std::to_string(list.size()) + " prompts #" + short_hash(list);
    }
    const std::string tokens = std::to_string(s.effective_max_tokens()) + " tok";
    const std::string& w = s.workload;
    if (w == "single" || w == "stream") return w + " " + tokens + ", " + prompts;
    if (w == "batch") return w + " c" + std::to_string(s.concurrency) + " " + tokens + ", " + prompts;
    if (w == "server")
        return w + " " + compact(s.arrival_rate) + " req/s " + compact(s.duration_s) + " s c" +
               std::to_string(s.concurrency) + " " + tokens + ", " + prompts;
    if (w == "scaling") {
        std::string t = w + " " + tokens + ", threads";
        for (int x : s.sweep_threads) t += " " + std::to_string(x);
        if (s.sweep_threads.empty()) t += " all";
        t += ", c";
        for (int x : s.sweep_concurrency) t += " " + std::to_string(x);
        if (s.sweep_concurrency.empty()) t += " 1 2 4 8";
        return t;
    }
    return w;
}

RunConfig make_config(const std::string& workload, const std::string& implementation, int threads,
                      const std::string& config_json, const std::string& model_path, const std::string& sha256,
                      int64_t n_params) {
    RunConfig c;
    c.workload = workload;
    c.implementation = implementation;
    c.threads = threads;
    c.model_sha256 = sha256;
    c.model_file = basename_of(model_path);
    c.model_params = n_params;
    const json cfg = json::parse(config_json, nullptr, false);
    const json obj = cfg.is_object() ? cfg : json::object();
    if (is_llama_bench_config(obj)) {
        c.test = test_label(workload, obj);
        if (c.test.empty()) c.test = workload;
        const std::string k = obj.contains("type_k") ? value_text(obj["type_k"]) : "";
        const std::string v = obj.contains("type_v") ? value_text(obj["type_v"]) : "";
        if (!k.empty()) c.settings.emplace_back("kv", k == v || v.empty() ? k : k + "/" + v);
        for (const auto& field : speed_fields(implementation))
            if (field != "type_k" && field != "type_v" && field != "n_depth" && obj.contains(field))
                c.switches.emplace_back(field, value_text(obj[field]));
        // A fork we do not know: its own fields may be switches too.
        ProgramReport report;
        report.fields = obj;
        for (const auto& f : detect_implementation(report).unknown_fields)
            if (f != "implementation_detected_by" && f != "extra_args" && f != "test")
                c.switches.emplace_back(f, value_text(obj[f]));
    } else {
        const BenchmarkSpec s = BenchmarkSpec::from_json(obj);
        const std::string label = test_label(workload, obj);
        c.test = !label.empty() ? label : spec_test(s);
        if (s.workload != workload && label.empty()) c.test = workload;   // not one of our specs
        c.settings.emplace_back("kv", kv_type_name(s.kv_type));
        const bool generates = workload == "single" || workload == "stream" || workload == "batch" ||
                               workload == "server" || workload == "scaling";
        if (generates) {
            c.settings.emplace_back("ctx", s.n_ctx > 0 ? std::to_string(s.n_ctx) : "default");
            c.settings.emplace_back("sampler", "t" + compact(s.temperature) + " p" + compact(s.top_p) + " k" +
                                                   std::to_string(s.top_k));
            // Output lengths and forbidden tokens change what is measured (named only when set,
            // so keys of runs without them stay as they were).
            if (s.ignore_eos) c.settings.emplace_back("eos", "ignored");
            if (!s.forbid_tokens.empty() || s.forbid_byte_tokens) {
                std::string f = s.forbid_byte_tokens ? "byte tokens" : "";
                if (!s.forbid_tokens.empty()) {
                    std::vector<std::string> ids;
                    for (int32_t id : s.forbid_tokens) ids.push_back(std::to_string(id));
                    f += (f.empty() ? "" : " + ") + std::to_string(ids.size()) + " ids #" + short_hash(ids);
                }
                c.settings.emplace_back("forbid", f);
            }
        }
    }
    if (obj.contains("extra_args") && obj["extra_args"].is_array() && !obj["extra_args"].empty()) {
        std::string args;
        for (const auto& a : obj["extra_args"]) args += (args.empty() ? "" : " ") + value_text(a);
        c.switches.emplace_back("args", args);
    }
    return c;
}

std::string settings_text(const std::vector<Setting>& s, const char* sep) {
    std::string out;
    for (const auto& [k, v] : s) out += (out.empty() ? "" : sep) + k + "=" + v;
    return out;
}

}  // namespace

std::string RunConfig::model_key() const {
    if (!model_sha256.empty()) return "sha256:" + model_sha256.substr(0, 16);
    return "file:" + model_file + "/" + std::to_string(model_params) + "p";
}

std::string RunConfig::experiment_key() const {
    return model_key() + "|" + test + "|t" + std::to_string(threads) + "|" + settings_text(settings, ",");
}

std::string RunConfig::key() const {
    return experiment_key() + "|" + implementation + (switches.empty() ? "" : "|" + settings_text(switches, ","));
}

std::string RunConfig::describe() const {
    std::string s = (model_file.empty() ? std::string("(no model file)") : model_file) + ", " + test + ", " +
                    std::to_string(threads) + (threads == 1 ? " thread" : " threads");
    for (const auto& [k, v] : settings) s += ", " + k + " " + v;
    return s;
}

RunConfig run_config(const tbdb::RunRecord& r) {
    return make_config(r.workload, r.implementation, r.threads, r.config_json, r.model.path, r.model.sha256,
                       r.model.n_params);
}

RunConfig run_config(const tbdb::RunSummary& r) {
    return make_config(r.workload, r.implementation, r.threads, r.config_json, r.model_path, r.model_sha256,
                       r.model_n_params);
}

}  // namespace bench
