#include "app/legacy/llama_bench_runner.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>

#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>
#include <nlohmann/json.hpp>

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

    auto fail = [&](const std::string& error) {
        tbdb::RunRecord run;
        run.started_at = started;
        run.finished_at = tbdb::utc_timestamp_now();
        run.status = tbdb::RunStatus::Failed;
        run.workload = spec.n_prompt > 0 ? "pp" : "tg";
        run.implementation = spec.implementation.empty() ? "llama-bench" : spec.implementation;
        run.threads = resolved_threads(spec);
        run.config_json = config.dump();
        run.host = host;
        run.model.path = spec.model_path;
        run.error = error;
        run.source = source;
        store.insert_run(run);
        out.error = error;
        out.runs = {run};
        return out;
    };

    if (sys::find_program(spec.program).empty())
        return fail("llama-bench program not found or not executable: " + spec.program);
    if (!std::filesystem::exists(spec.model_path))
        return fail("model file not found: " + spec.model_path);

    const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(spec.timeout_s * 1000));
    const auto res = sys::run_child(spec.program, llama_bench_args(spec), timeout, cancel);
    auto stderr_tail = [&res] {
        std::string e = res.err.size() > 600 ? res.err.substr(res.err.size() - 600) : res.err;
        return e.empty() ? std::string() : "; stderr: " + e;
    };
    if (!res.ok())
        return fail(spec.program + " " + res.describe() + stderr_tail());

    LlamaBenchOptions opt;
    opt.implementation = spec.implementation;
    opt.source = source;
    try {
        auto parsed = parse_llama_bench(res.out, LlamaBenchFormat::Json, spec.program + " output", opt);
        if (parsed.runs.empty()) return fail(spec.program + " printed no test results");
        for (auto& r : parsed.runs) {
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
        store.insert_runs(parsed.runs);
        out.runs = std::move(parsed.runs);
    } catch (const LlamaBenchError& e) {
        return fail(std::string("could not parse the output of ") + spec.program + ": " + e.what());
    }
    return out;
}

}  // namespace bench
