#include "app/legacy/llama_bench_runner.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>

#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>
#include <nlohmann/json.hpp>

#include "app/core/run_saver.h"
#include "app/legacy/llama_bench_parser.h"
#include "app/system/child_process.h"
#include "app/system/host_info.h"
#include "db/timestamps.h"
#include "engine/base/thread_pool.h"

namespace bench {
namespace {

int resolved_threads(const LlamaBenchRunSpec& s) {
    return s.threads > 0 ? s.threads : std::max(1, tern::ThreadPool::physical_cores());
}

}  // namespace

std::vector<std::string> llama_bench_args(const LlamaBenchRunSpec& spec) {
    std::vector<std::string> a = {"-m", spec.model_path,
                                  "-p", std::to_string(spec.n_prompt),
                                  "-n", std::to_string(spec.n_gen),
                                  "-t", std::to_string(resolved_threads(spec)),
                                  "-r", std::to_string(spec.repetitions),
                                  "-o", "json"};
    a.insert(a.end(), spec.extra_args.begin(), spec.extra_args.end());
    return a;
}

namespace {

// "pp64 t1", "tg32 t2" -- what a result measured, in llama-bench's words.
std::string test_label(const tbdb::RunRecord& r) {
    const auto config = nlohmann::json::parse(r.config_json, nullptr, false);
    const auto get = [&](const char* key) { return config.is_object() ? config.value(key, int64_t(0)) : int64_t(0); };
    std::string label = r.workload == "pp" ? "pp" + std::to_string(get("n_prompt"))
                        : r.workload == "tg" ? "tg" + std::to_string(get("n_gen"))
                                             : "pg" + std::to_string(get("n_prompt")) + "+" + std::to_string(get("n_gen"));
    return label + " t" + std::to_string(r.threads);
}

// The tests the arguments ask for, as test_label() names them.
std::vector<std::string> asked_tests(const LlamaBenchRunSpec& spec) {
    std::vector<std::string> out;
    const std::string t = " t" + std::to_string(resolved_threads(spec));
    if (spec.n_prompt > 0) out.push_back("pp" + std::to_string(spec.n_prompt) + t);
    if (spec.n_gen > 0) out.push_back("tg" + std::to_string(spec.n_gen) + t);
    return out;
}

}  // namespace

LlamaBenchRunOutcome run_llama_bench(const LlamaBenchRunSpec& spec, tbdb::RunStore& store,
                                     const std::atomic<bool>* cancel) {
    LlamaBenchRunOutcome out;
    const std::string source = "baseline:" + spec.program;
    const auto host = sys::collect_host_info();
    const std::string started = tbdb::utc_timestamp_now();
    nlohmann::json config = {{"program", spec.program}, {"model_path", spec.model_path},
                             {"n_prompt", spec.n_prompt}, {"n_gen", spec.n_gen},
                             {"threads", resolved_threads(spec)}, {"repetitions", spec.repetitions},
                             {"timeout_s", spec.timeout_s}, {"args", llama_bench_args(spec)}};
    if (!spec.extra_args.empty()) config["extra_args"] = spec.extra_args;

    // The row exists before the program starts, so a ternbench killed meanwhile leaves an
    // `interrupted` run behind rather than nothing.
    tbdb::RunRecord placeholder;
    placeholder.started_at = started;
    placeholder.status = tbdb::RunStatus::Running;
    placeholder.workload = spec.n_prompt > 0 ? "pp" : "tg";
    placeholder.implementation = spec.implementation.empty() ? "llama-bench" : spec.implementation;
    placeholder.threads = resolved_threads(spec);
    placeholder.config_json = config.dump();
    placeholder.host = host;
    placeholder.model.path = spec.model_path;
    placeholder.source = source;
    placeholder.id = store.begin_run(placeholder);

    auto end_as = [&](tbdb::RunStatus status, const std::string& error) {
        tbdb::RunRecord run = placeholder;
        run.finished_at = tbdb::utc_timestamp_now();
        run.status = status;
        run.error = error;
        save_or_spill(store, {run}, [&] { store.finish_run(run); });
        out.error = error;
        out.cancelled = status == tbdb::RunStatus::Cancelled;
        out.runs = {run};
        return out;
    };
    auto fail = [&](const std::string& error) { return end_as(tbdb::RunStatus::Failed, error); };

    if (sys::find_program(spec.program).empty())
        return fail("llama-bench program not found or not executable: " + spec.program);
    if (!std::filesystem::exists(spec.model_path))
        return fail("model file not found: " + spec.model_path);

    const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(spec.timeout_s * 1000));
    const auto res = sys::run_child(spec.program, llama_bench_args(spec), timeout, cancel);
    const std::string tail = res.stderr_tail();
    const std::string stderr_note = tail.empty() ? std::string() : "; stderr: " + tail;
    if (res.cancelled)
        return end_as(tbdb::RunStatus::Cancelled, spec.program + " was cancelled and killed (with its process group)");
    if (!res.ok()) return fail(spec.program + " " + res.describe() + stderr_note);

    LlamaBenchOptions opt;
    opt.implementation = spec.implementation;
    opt.source = source;
    opt.extra_args = spec.extra_args;
    LlamaBenchResult parsed;
    try {
        parsed = parse_llama_bench(res.out, LlamaBenchFormat::Json, spec.program + " output", opt);
    } catch (const LlamaBenchError& e) {
        return fail(std::string("could not parse the output of ") + spec.program + ": " + e.what());
    }
    if (parsed.runs.empty()) return fail(spec.program + " printed no test results");

    // Keep what was asked for; a result for other parameters is named, not stored as if asked.
    const auto asked = asked_tests(spec);
    std::vector<tbdb::RunRecord> kept;
    std::string ran;
    for (auto& r : parsed.runs) {
        const std::string label = test_label(r);
        ran += (ran.empty() ? "" : ", ") + label;
        if (std::find(asked.begin(), asked.end(), label) == asked.end()) {
            out.warnings.push_back(spec.program + " also printed " + label + ", which was not asked for: not stored");
            continue;
        }
        const auto* rate = r.metric("tok_s");
        if (!rate || !rate->value || !(*rate->value > 0))
            return fail(spec.program + " reported " + (rate && rate->value ? std::to_string(*rate->value) : "no") +
                        " tok/s for " + label + ": not a measurement");
        kept.push_back(std::move(r));
    }
    for (const auto& want : asked) {
        const bool found = std::any_of(kept.begin(), kept.end(), [&](const auto& r) { return test_label(r) == want; });
        if (!found) {
            std::string asked_list;
            for (const auto& a : asked) asked_list += (asked_list.empty() ? "" : ", ") + a;
            return fail(spec.program + " did not run the parameters asked for: asked " + asked_list + ", it ran " + ran +
                        " (are -p/-n/-t passed through, or overridden by extra arguments?)");
        }
    }
    for (auto& r : kept) {
        // We ran it here: the host is this machine (the file itself only names the CPU).
        const std::string cpu = r.host.cpu_model;
        r.host = host;
        if (!cpu.empty()) r.host.cpu_model = cpu;
        if (r.started_at.empty()) r.started_at = started;
        if (r.finished_at.empty()) r.finished_at = tbdb::utc_timestamp_now();
        // Running it is a new measurement: the content-derived uuid (which makes importing a
        // file twice detectable) would collide when a program prints the same output twice.
        r.uuid = boost::uuids::to_string(boost::uuids::random_generator()());
    }
    // The first result takes over the row opened above; the others are new rows.
    kept.front().id = placeholder.id;
    kept.front().uuid = placeholder.uuid;
    std::vector<tbdb::RunRecord> rest(kept.begin() + 1, kept.end());
    save_or_spill(store, kept, [&] {
        store.finish_run(kept.front());
        if (!rest.empty()) store.insert_runs(rest);
    });
    for (size_t i = 0; i < rest.size(); ++i) kept[i + 1].id = rest[i].id;
    out.runs = std::move(kept);
    return out;
}

}  // namespace bench
