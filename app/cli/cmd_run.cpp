// `ternbench run` and the default headless run (no subcommand, no display).
#include <filesystem>
#include <iostream>
#include <thread>

#include <mutex>

#include "app/cli/cancel_on_signal.h"
#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "app/cli/progress_printer.h"
#include "app/core/run_checks.h"
#include "app/core/runner.h"
#include "app/fidelity/kl_base_file.h"
#include "app/fidelity/perplexity_text.h"
#include "app/reports/json_export.h"
#include "app/reports/markdown_report.h"
#include "app/reports/summary_report.h"
#include "db/run_store.h"
#include "db/store_checks.h"

namespace bench::cli {
namespace {

// Forwards to the progress printer and remembers what the signal watchdog needs: the run being
// measured and its phase; tells the watchdog when the results are being stored.
class RunTap : public RunObserver {
public:
    RunTap(RunObserver& inner, std::string db) : inner_(inner), db_(std::move(db)) {}
    void attach(CancelOnSignal* signals) { signals_ = signals; }

    void on_started(int64_t id, const tbdb::RunRecord& run) override {
        {
            std::lock_guard lock(mu_);
            run_id_ = id;
            phase_ = "starting";
        }
        inner_.on_started(id, run);
    }
    void on_progress(int64_t id, const Progress& p) override {
        {
            std::lock_guard lock(mu_);
            phase_ = p.phase;
        }
        inner_.on_progress(id, p);
    }
    void on_token(int64_t id, int request, const std::string& piece, double t_ms) override {
        inner_.on_token(id, request, piece, t_ms);
    }
    void on_request_done(int64_t id, const tbdb::RequestRecord& r) override { inner_.on_request_done(id, r); }
    void on_throughput(int64_t id, double t_s, double tok_s) override { inner_.on_throughput(id, t_s, tok_s); }
    void on_log(int64_t id, const std::string& line) override { inner_.on_log(id, line); }
    void on_storing(int64_t id) override {
        if (signals_) signals_->finishing();
        inner_.on_storing(id);
    }
    void on_finished(int64_t id, const tbdb::RunRecord& run) override {
        {
            std::lock_guard lock(mu_);
            run_id_ = 0;
        }
        inner_.on_finished(id, run);
    }

    // The watchdog's last resort: the phase did not stop in time, so the run is stored as
    // cancelled through a connection of its own (the measuring thread is still busy).
    void store_stuck_run() {
        int64_t id = 0;
        std::string phase;
        {
            std::lock_guard lock(mu_);
            id = run_id_;
            phase = phase_;
        }
        if (id <= 0) return;
        try {
            tbdb::mark_run_cancelled(db_, id,
                                     "cancelled by the user during " + phase +
                                         ", which cannot stop midway; the figures of this run were not kept",
                                     400);
            std::cerr << "ternbench: run #" << id << " stored as cancelled\n";
        } catch (const std::exception& e) {
            std::cerr << "ternbench: run #" << id << " could not be marked cancelled (" << e.what()
                      << "); the next start marks it interrupted\n";
        }
    }

private:
    RunObserver& inner_;
    std::string db_;
    CancelOnSignal* signals_ = nullptr;
    std::mutex mu_;
    int64_t run_id_ = 0;
    std::string phase_;
};

int exit_code_for(const tbdb::RunRecord& run, bool input_bad) {
    switch (run.status) {
        case tbdb::RunStatus::Completed: return kOk;
        case tbdb::RunStatus::Cancelled: return kCancelled;
        default: return input_bad ? kInputError : kRunFailed;
    }
}

}  // namespace

int cmd_run(const RunArgs& a) {
    // The same checks the runner makes, here to pick the exit code: bad flags store nothing
    // (exit 2); a missing or bad model or prompts file is stored as a failed run (exit 3).
    const RunCheck check = check_run_inputs(a.spec);
    if (check.kind == RunCheck::Kind::BadFlags) {
        std::cerr << "ternbench run: " << check.message << "\n";
        return kUsage;
    }
    bool input_bad = check.kind == RunCheck::Kind::BadInput;
    std::string why = check.message;
    if (!input_bad && a.spec.workload == "perplexity") {
        // Text and base files are checked before the model loads (minutes for a big one); the
        // run still stores the failure.
        try {
            if (!a.spec.text_file.empty()) load_perplexity_text(a.spec.text_file);
            if (!a.spec.kl_base.empty()) KlBaseReader base_check(a.spec.kl_base);
        } catch (const InputError& e) {
            input_bad = true;
            why = e.what();
        }
    }
    tbdb::RunStore store(a.db);
    Runner runner(store);
    std::atomic<bool> cancel{false};
    ProgressPrinter progress;
    RunTap tap(progress, a.db);
    tbdb::RunRecord run;
    {
        CancelOnSignal signals(cancel, [&tap] { tap.store_stuck_run(); });
        tap.attach(&signals);
        run = runner.run(a.spec, &tap, &cancel);
    }
    input_bad = input_bad || runner.last_failed_on_input();
    if (a.json) std::cout << run_to_json(run).dump(2) << std::endl;
    else if (run.status != tbdb::RunStatus::Failed) std::cout << markdown_run_report(run) << std::endl;
    if (run.status == tbdb::RunStatus::Failed)
        std::cerr << "ternbench run: " << (input_bad && !why.empty() ? why : run.error) << " (stored as failed run #"
                  << run.id << ")\n";
    return exit_code_for(run, input_bad);
}

int cmd_default_run(const std::string& db, const std::string& preset) {
    // The first-start benchmark: a demo model (`small` unless --preset), short but honest settings
    // (every figure is measured; percentiles a small sample cannot support are reported as missing).
    const auto spec_of = [&](const char* workload, int repetitions) {
        BenchmarkSpec s;
        s.workload = workload;
        s.demo_preset = preset;
        s.repetitions = repetitions;
        s.warmup = 1;
        return s;
    };
    std::vector<BenchmarkSpec> specs = {spec_of("single", 2), spec_of("pp", 5), spec_of("tg", 5)};
    specs[0].max_tokens = 32;
    specs[1].n_prompt = 128;
    specs[2].n_gen = 32;

    tbdb::RunStore store(db);
    Runner runner(store);
    std::atomic<bool> cancel{false};
    ProgressPrinter progress;
    RunTap tap(progress, db);
    std::cerr << "ternbench: no display, running the default headless benchmark (demo model `" << preset
              << "`), database " << db << "\n";
    int rc = kOk;
    std::vector<tbdb::RunRecord> runs;
    {
        CancelOnSignal signals(cancel, [&tap] { tap.store_stuck_run(); });
        tap.attach(&signals);
        for (const auto& spec : specs) {
            if (cancel) break;
            runs.push_back(runner.run(spec, &tap, &cancel));
            const auto& run = runs.back();
            if (run.status != tbdb::RunStatus::Completed && rc == kOk) rc = exit_code_for(run, false);
        }
    }
    // One report for the whole invocation, printed once every run is stored.
    std::cout << markdown_summary_report("ternbench default run",
                                         "Demo model `" + preset + "`; runs stored in " + db + ".", runs)
              << std::flush;
    return rc;
}

}  // namespace bench::cli
