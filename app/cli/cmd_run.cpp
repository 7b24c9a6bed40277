// `ternbench run` and the default headless run (no subcommand, no display).
#include <filesystem>
#include <iostream>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "app/cli/progress_printer.h"
#include "app/core/prompt_file.h"
#include "app/core/runner.h"
#include "app/fidelity/kl_base_file.h"
#include "app/fidelity/perplexity_text.h"
#include "app/reports/json_export.h"
#include "app/reports/markdown_report.h"
#include "app/reports/summary_report.h"
#include "db/run_store.h"
#include "engine/model/model.h"

namespace bench::cli {
namespace {

// SIGINT / SIGTERM raise the cancel flag (the runner stores what was measured as `cancelled`);
// a second signal ends the process at once.
class CancelOnSignal {
public:
    explicit CancelOnSignal(std::atomic<bool>& flag)
        : signals_(io_, SIGINT, SIGTERM), work_(boost::asio::make_work_guard(io_)) {
        wait(flag);
        thread_ = std::thread([this] { io_.run(); });
    }
    ~CancelOnSignal() {
        signals_.cancel();
        work_.reset();
        io_.stop();
        thread_.join();
    }

private:
    void wait(std::atomic<bool>& flag) {
        signals_.async_wait([this, &flag](const boost::system::error_code& ec, int) {
            if (ec) return;
            if (flag.exchange(true)) std::_Exit(kCancelled);
            std::cerr << "\ncancelling: keeping what was measured (Ctrl-C again to quit now)\n";
            wait(flag);
        });
    }
    boost::asio::io_context io_;
    boost::asio::signal_set signals_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::thread thread_;
};

// A missing or unreadable model is an input error (exit 3); checked before the run so the exit
// code can say so, while the runner still stores the failed run.
bool model_input_bad(const BenchmarkSpec& spec, std::string& why) {
    if (spec.model_path.empty()) return false;
    if (!std::filesystem::exists(spec.model_path)) {
        why = "model file not found: " + spec.model_path;
        return true;
    }
    try {
        auto info = tern::Model::inspect(spec.model_path);
        if (!info.supported) {
            why = "unsupported model " + spec.model_path + ": " + info.unsupported_reason;
            return true;
        }
    } catch (const std::exception& e) {
        why = e.what();
        return true;
    }
    return false;
}

int exit_code_for(const tbdb::RunRecord& run, bool input_bad) {
    switch (run.status) {
        case tbdb::RunStatus::Completed: return kOk;
        case tbdb::RunStatus::Cancelled: return kCancelled;
        default: return input_bad ? kInputError : kRunFailed;
    }
}

}  // namespace

int cmd_run(const RunArgs& a) {
    std::string why;
    bool input_bad = model_input_bad(a.spec, why);
    if (!input_bad && !a.spec.prompts_file.empty()) {
        // Read it now so an empty or malformed file is an input error (exit 3), not a failed run.
        if (!std::filesystem::exists(a.spec.prompts_file)) {
            input_bad = true;
            why = "prompts file not found: " + a.spec.prompts_file;
        } else {
            try {
                load_prompts_file(a.spec.prompts_file);
            } catch (const std::exception& e) {
                input_bad = true;
                why = e.what();
            }
        }
    }
    if (!input_bad && a.spec.workload == "perplexity") {
        // Text and base files are checked before the model loads (minutes for a big one); the
        // run still stores the failure.
        try {
            if (!a.spec.text_file.empty()) load_perplexity_text(a.spec.text_file);
            if (!a.spec.kl_base.empty()) KlBaseReader check(a.spec.kl_base);
        } catch (const InputError& e) {
            input_bad = true;
            why = e.what();
        }
    }
    tbdb::RunStore store(a.db);
    Runner runner(store);
    std::atomic<bool> cancel{false};
    ProgressPrinter progress;
    tbdb::RunRecord run;
    {
        CancelOnSignal signals(cancel);
        run = runner.run(a.spec, &progress, &cancel);
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
    std::cerr << "ternbench: no display, running the default headless benchmark (demo model `" << preset
              << "`), database " << db << "\n";
    int rc = kOk;
    std::vector<tbdb::RunRecord> runs;
    {
        CancelOnSignal signals(cancel);
        for (const auto& spec : specs) {
            if (cancel) break;
            runs.push_back(runner.run(spec, &progress, &cancel));
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
