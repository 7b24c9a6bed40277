// `ternbench baseline run`: an external llama-bench as a stored baseline.
#include <atomic>
#include <iostream>

#include "app/cli/cancel_on_signal.h"
#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "app/cli/cancel_on_signal.h"
#include "app/cli/progress_printer.h"
#include "app/legacy/llama_bench_runner.h"
#include "app/legacy/llama_perplexity_runner.h"
#include "app/legacy/llama_server_baseline.h"
#include "app/reports/markdown_report.h"
#include "app/reports/json_export.h"
#include "db/run_store.h"
#include "db/store_checks.h"

namespace bench::cli {

namespace {

int perplexity_baseline(const BaselineRunArgs& a) {
    LlamaPerplexityRunSpec spec;
    spec.program = a.perplexity_program;
    spec.model_path = a.model;
    spec.text_file = a.text_file;
    spec.ctx = a.ctx;
    spec.chunks = a.chunks;
    spec.threads = a.threads;
    spec.kl_base = a.kl_base;
    spec.write_kl_base = a.write_kl_base;
    spec.timeout_s = a.timeout_s;
    spec.implementation = a.implementation;
    tbdb::RunStore store(a.db);
    std::cerr << "running " << a.perplexity_program << " on " << a.model << " (timeout " << a.timeout_s << " s)\n";
    const auto out = run_llama_perplexity(spec, store);
    if (a.json) std::cout << run_to_json(std::vector<tbdb::RunRecord>{out.run}).dump(2) << std::endl;
    if (!out.ok()) {
        std::cerr << "ternbench baseline run: " << out.error << " (stored as failed run #" << out.run.id << ")\n";
        return out.input_error ? kInputError : kRunFailed;
    }
    if (!a.json) {
        auto fig = [&out](const char* name) {
            const auto* m = out.run.metric(name);
            return m && m->value ? std::to_string(*m->value) : std::string("—");
        };
        std::cout << "#" << out.run.id << " " << out.run.implementation << " perplexity t=" << out.run.threads
                  << ": PPL " << fig("ppl") << " +/- " << fig("ppl_err");
        if (out.run.metric("kld_mean")) std::cout << ", mean KLD " << fig("kld_mean") << ", same top " << fig("same_top_pct") << " %";
        std::cout << "\n";
    }
    return kOk;
}

}  // namespace

int cmd_baseline_run(const BaselineRunArgs& a) {
    if (!a.perplexity_program.empty()) return perplexity_baseline(a);
    LlamaBenchRunSpec spec;
    spec.program = a.program;
    spec.model_path = a.model;
    spec.n_prompt = a.n_prompt;
    spec.n_gen = a.n_gen;
    spec.threads = a.threads;
    spec.repetitions = a.reps;
    spec.timeout_s = a.timeout_s;
    spec.implementation = a.implementation;
    spec.extra_args = a.extra_args;
    tbdb::RunStore store(a.db);
    tbdb::require_sound_for_write(store);
    std::cerr << "running " << a.program << " on " << a.model << " (timeout " << a.timeout_s << " s)\n";
    // Ctrl-C / SIGTERM kill the program's whole group at once (ChildProcess polls the flag), so
    // the grace is never needed; the run is stored as cancelled.
    std::atomic<bool> cancel{false};
    LlamaBenchRunOutcome out;
    {
        CancelOnSignal signals(cancel);
        out = run_llama_bench(spec, store, &cancel);
    }
    for (const auto& w : out.warnings) std::cerr << "warning: " << w << "\n";
    if (a.json) std::cout << run_to_json(out.runs).dump(2) << std::endl;
    if (out.cancelled) {
        std::cerr << "ternbench baseline run: cancelled (stored as cancelled run #"
                  << (out.runs.empty() ? 0 : out.runs.front().id) << ")\n";
        return kCancelled;
    }
    if (!out.ok()) {
        std::cerr << "ternbench baseline run: " << out.error << " (stored as failed run #"
                  << (out.runs.empty() ? 0 : out.runs.front().id) << ")\n";
        return out.error.find("model file not found") != std::string::npos ? kInputError : kRunFailed;
    }
    if (!a.json)
        for (const auto& r : out.runs) {
            const auto* m = r.metric("tok_s");
            const auto* sd = r.metric("tok_s_stddev");
            std::cout << "#" << r.id << " " << r.implementation << " " << r.workload << " t=" << r.threads
                      << ": " << (m && m->value ? std::to_string(*m->value) : std::string("—"))
                      << (sd && sd->value ? " ± " + std::to_string(*sd->value) : std::string()) << " tok/s\n";
        }
    return kOk;
}

int cmd_baseline_server_run(const BaselineServerArgs& a) {
    LlamaServerRunSpec ls;
    ls.program = a.program;
    ls.spec = a.spec;
    ls.health_timeout_s = a.health_timeout_s;
    ls.port = a.port;
    ls.implementation = a.implementation;
    ls.extra_args = a.extra_args;
    tbdb::RunStore store(a.db);
    std::atomic<bool> cancel{false};
    ProgressPrinter progress;
    LlamaServerRunOutcome out;
    {
        CancelOnSignal signals(cancel);
        out = run_llama_server_baseline(ls, store, &progress, &cancel);
    }
    if (a.json) std::cout << run_to_json(out.run).dump(2) << std::endl;
    else if (out.run.status != tbdb::RunStatus::Failed) std::cout << markdown_run_report(out.run) << std::endl;
    if (out.run.status == tbdb::RunStatus::Cancelled) return kCancelled;
    if (!out.error.empty()) {
        std::cerr << "ternbench baseline run: " << out.error << " (stored as failed run #" << out.run.id << ")\n";
        return out.input_error ? kInputError : kRunFailed;
    }
    return kOk;
}

}  // namespace bench::cli
