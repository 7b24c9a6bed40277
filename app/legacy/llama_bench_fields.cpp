// One llama-bench test line (its field set) -> one RunRecord. See llama_bench_parser.h.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include <boost/uuid/name_generator_sha1.hpp>
#include <boost/uuid/string_generator.hpp>
#include <boost/uuid/uuid_io.hpp>
#include <nlohmann/json.hpp>

#include "app/legacy/implementation_detect.h"
#include "app/legacy/llama_bench_parser.h"
#include "app/reports/run_labels.h"
#include "app/stats/summarize_metric.h"
#include "app/stats/text_format.h"
#include "db/timestamps.h"

namespace bench {
namespace {

using json = nlohmann::json;

// The result fields; everything else in a line is a parameter of the test.
const std::set<std::string> kResultFields = {"avg_ns", "stddev_ns", "avg_ts", "stddev_ts",
                                             "samples_ns", "samples_ts", "test_time"};

struct Fields {
    const json& f;
    const std::string& where;

    [[noreturn]] void fail(const std::string& key, const std::string& what) const {
        throw LlamaBenchError(where + ": field \"" + key + "\" " + what);
    }
    bool has(const char* key) const {
        auto it = f.find(key);
        return it != f.end() && !it->is_null() && !(it->is_string() && it->get<std::string>().empty());
    }
    std::optional<double> number(const char* key, bool required) const {
        if (!has(key)) {
            if (required) fail(key, "is missing");
            return std::nullopt;
        }
        const json& v = f.at(key);
        std::optional<double> d;
        if (v.is_number()) d = v.get<double>();
        else if (v.is_string()) d = parse_double(v.get<std::string>());
        else if (v.is_boolean()) d = v.get<bool>() ? 1.0 : 0.0;
        if (!d || !std::isfinite(*d)) fail(key, "is not a number: " + v.dump());
        return d;
    }
    std::optional<int64_t> integer(const char* key, bool required) const {
        auto d = number(key, required);
        if (!d) return std::nullopt;
        if (*d != std::floor(*d)) fail(key, "is not a whole number: " + f.at(key).dump());
        return static_cast<int64_t>(*d);
    }
    std::string text(const char* key) const {
        if (!has(key)) return {};
        const json& v = f.at(key);
        return v.is_string() ? v.get<std::string>() : v.dump();
    }
    // samples_ts / samples_ns: a JSON array, or text such as "[ 1, 2 ]" or "1;2" from CSV.
    std::vector<double> list(const char* key) const {
        std::vector<double> out;
        if (!has(key)) return out;
        const json& v = f.at(key);
        if (v.is_array()) {
            for (const auto& x : v) {
                if (!x.is_number()) fail(key, "holds a non-number: " + x.dump());
                out.push_back(x.get<double>());
            }
            return out;
        }
        if (!v.is_string()) fail(key, "is not a list of numbers");
        std::string s = v.get<std::string>(), tok;
        for (char& c : s)
            if (c == '[' || c == ']' || c == ',' || c == ';') c = ' ';
        s += ' ';
        for (char c : s) {
            if (std::isspace(static_cast<unsigned char>(c))) {
                if (!tok.empty()) {
                    auto d = parse_double(tok);
                    if (!d) fail(key, "holds a non-number: \"" + tok + "\"");
                    out.push_back(*d);
                    tok.clear();
                }
            } else {
                tok += c;
            }
        }
        return out;
    }
};

// "bitnet ?B TQ2_0 - 2.06 bpw ternary" -> arch "bitnet", type "TQ2_0".
void model_type_parts(const std::string& model_type, std::string& arch, std::string& type) {
    const auto first_space = model_type.find(' ');
    arch = model_type.substr(0, first_space);
    const auto dash = model_type.find(" - ");
    const std::string head = model_type.substr(0, dash);
    const auto last_space = head.find_last_of(' ');
    type = last_space == std::string::npos ? std::string() : head.substr(last_space + 1);
}

std::string name_based_uuid(const std::string& content) {
    // A fixed namespace for ternbench imports (itself a random v4 uuid made once).
    const boost::uuids::uuid ns = boost::uuids::string_generator()("6f1d3c52-8d0e-4b59-9a57-3f0c2e7b9d41");
    boost::uuids::name_generator_sha1 gen(ns);
    return boost::uuids::to_string(gen(content));
}

}  // namespace

std::string detect_llama_bench_implementation(const nlohmann::json& fields, std::string* reason) {
    ProgramReport report;
    report.fields = fields;
    const ImplementationGuess g = detect_implementation(report);
    if (reason) *reason = g.reason;
    return g.name;
}

tbdb::RunRecord llama_bench_fields_to_run(const nlohmann::json& fields, const std::string& where,
                                          const LlamaBenchOptions& options, std::vector<std::string>* warnings) {
    if (!fields.is_object()) throw LlamaBenchError(where + ": a test must be an object of fields");
    const Fields f{fields, where};
    tbdb::RunRecord run;

    const int64_t n_prompt = *f.integer("n_prompt", true);
    const int64_t n_gen = *f.integer("n_gen", true);
    const int64_t n_depth = f.integer("n_depth", false).value_or(0);
    if (n_prompt < 0 || n_gen < 0) f.fail(n_prompt < 0 ? "n_prompt" : "n_gen", "is negative");
    if (n_prompt == 0 && n_gen == 0) f.fail("n_prompt", "and n_gen are both 0: not a test");
    run.workload = n_gen == 0 ? "pp" : n_prompt == 0 ? "tg" : "pg";
    const auto threads = f.integer("n_threads", true);
    if (*threads <= 0) f.fail("n_threads", "must be positive");
    run.threads = static_cast<int>(*threads);
    if (!f.has("model_filename")) f.fail("model_filename", "is missing");
    const auto avg_ts = f.number("avg_ts", true);
    const auto stddev_ts = f.number("stddev_ts", false);
    const auto avg_ns = f.number("avg_ns", false);
    const auto stddev_ns = f.number("stddev_ns", false);
    if (*avg_ts < 0) f.fail("avg_ts", "is negative");
    const std::vector<double> samples_ts = f.list("samples_ts");
    const std::vector<double> samples_ns = f.list("samples_ns");
    if (!samples_ts.empty() && !samples_ns.empty() && samples_ts.size() != samples_ns.size() && warnings)
        warnings->push_back(where + ": samples_ts has " + std::to_string(samples_ts.size()) + " values, samples_ns " +
                            std::to_string(samples_ns.size()));

    ProgramReport report;
    report.fields = fields;
    report.version_text = options.version_text;
    const ImplementationGuess guess = detect_implementation(report);
    std::string reason = guess.reason;
    run.implementation = options.implementation.empty() ? guess.name : options.implementation;
    if (!options.implementation.empty()) reason = "given by the user";
    else if (!guess.known && warnings) {
        std::string w = where + ": fields match no known implementation (lacks ";
        for (size_t i = 0; i < guess.missing_markers.size(); ++i) w += (i ? "; " : "") + guess.missing_markers[i];
        w += "); stored as implementation \"" + guess.name + "\" (--implementation names it)";
        warnings->push_back(w);
    }
    run.impl_version = f.text("build_commit");
    run.status = tbdb::RunStatus::Completed;
    // test_time is whole seconds ("2026-11-27T00:30:11Z"); stored in the one run-time format.
    const std::string test_time = f.text("test_time");
    if (auto t = tbdb::normalized_utc_timestamp(test_time)) {
        run.started_at = run.finished_at = *t;
    } else {
        run.started_at = run.finished_at = test_time;
        if (!test_time.empty() && warnings)
            warnings->push_back(where + ": test_time '" + test_time + "' is not an ISO-8601 time; kept as given");
    }
    run.source = options.source;

    run.model.path = f.text("model_filename");
    run.model.size_bytes = f.integer("model_size", false).value_or(0);
    run.model.n_params = f.integer("model_n_params", false).value_or(0);
    model_type_parts(f.text("model_type"), run.model.arch, run.model.ternary_type);
    run.host.cpu_model = f.text("cpu_info");

    json config = json::object();
    for (auto it = fields.begin(); it != fields.end(); ++it)
        if (!kResultFields.count(it.key())) config[it.key()] = it.value();
    // Numbers as numbers whatever the format (CSV and SQL give text).
    config["n_prompt"] = n_prompt;
    config["n_gen"] = n_gen;
    config["n_depth"] = n_depth;
    config["n_threads"] = run.threads;
    config["implementation_detected_by"] = reason;
    if (!options.extra_args.empty()) config["extra_args"] = options.extra_args;
    run.config_json = config.dump();
    config["test"] = workload_label(run);
    run.config_json = config.dump();

    // Figures: the file's own mean and stddev; the rest from its samples when it has them.
    const int64_t n = static_cast<int64_t>(samples_ts.size());
    const std::string no_samples = "no per-repetition samples in this file";
    SummarizeOptions spread_only;
    spread_only.percentiles = false;
    for (auto& m : summarize_metric("tok_s", "tok/s", samples_ts, spread_only)) {
        if (m.name == "tok_s") {
            m.value = avg_ts;
            m.note = n ? "" : "mean as reported by llama-bench; repetitions not in this file";
        } else if (m.name == "tok_s_stddev") {
            m.value = stddev_ts;
            m.note = stddev_ts ? "" : "not in this file";
        } else if (!n) {
            m.note = no_samples;
        }
        run.metrics.push_back(std::move(m));
    }
    auto ms = [](const std::optional<double>& ns) -> std::optional<double> {
        return ns ? std::optional<double>(*ns / 1e6) : std::nullopt;
    };
    const int64_t n_ns = samples_ns.empty() ? n : static_cast<int64_t>(samples_ns.size());
    run.metrics.push_back(make_metric("test_ms", ms(avg_ns), "ms", n_ns, avg_ns ? "" : "not in this file"));
    run.metrics.push_back(make_metric("test_ms_stddev", ms(stddev_ns), "ms", n_ns, stddev_ns ? "" : "not in this file"));
    if (!samples_ts.empty()) run.samples.push_back({"tok_s", "tok/s", samples_ts});
    if (!samples_ns.empty()) run.samples.push_back({"ns", "ns", samples_ns});

    run.uuid = name_based_uuid(fields.dump());
    return run;
}

}  // namespace bench
