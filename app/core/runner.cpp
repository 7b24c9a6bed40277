#include "app/core/runner.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <future>
#include <random>
#include <sstream>

#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "app/core/control_loop.h"
#include "app/core/input_error.h"
#include "app/core/prompt_file.h"
#include "app/core/run_checks.h"
#include "app/http/remote_generation.h"
#include "app/workloads/forbidden_tokens.h"
#include "app/metrics/interference_metrics.h"
#include "app/metrics/metric_builder.h"
#include "app/system/demo_cache.h"
#include "app/system/host_info.h"
#include "app/system/model_file.h"
#include "app/system/proc_status.h"
#include "app/system/resource_sampler.h"
#include "app/system/system_cpu.h"
#include "app/workloads/workload.h"
#include "build_info.h"
#include "db/store_checks.h"
#include "db/timestamps.h"
#include "engine/demo/demo_model.h"
#include "engine/kernels/kernel_set.h"
#include "engine/base/thread_pool.h"

namespace bench {
namespace {

using Clock = std::chrono::steady_clock;

std::string make_uuid() {
    std::random_device rd;
    std::mt19937_64 rng((uint64_t(rd()) << 32) ^ rd() ^
                        uint64_t(Clock::now().time_since_epoch().count()));
    uint64_t a = rng(), b = rng();
    a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
    b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 1
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", unsigned(a >> 32),
                  unsigned((a >> 16) & 0xffff), unsigned(a & 0xffff), unsigned(b >> 48),
                  (unsigned long long)(b & 0xffffffffffffULL));
    return buf;
}

// Memory and CPU figures of the workload phase from the sampler (docs/ARCHITECTURE.md section 4).
void add_resource_metrics(tbdb::RunRecord& run, const std::vector<tbdb::ResourceSample>& rs,
                          bool peak_was_reset, int logical_cores) {
    metrics::MetricBuilder mb(run.metrics);
    if (rs.size() < 2) return;
    double hwm = 0, anon = 0, file = 0;
    for (const auto& s : rs) {
        hwm = std::max(hwm, s.vm_hwm_mb);
        anon = std::max(anon, s.rss_anon_mb);
        file = std::max(file, s.rss_file_mb);
    }
    const auto n = int64_t(rs.size());
    // A workload that measured its own (child) memory keeps it.
    if (!mb.has("peak_rss_mb"))
        mb.add("peak_rss_mb", hwm, "MB", n,
               peak_was_reset ? "VmHWM, reset at workload start (includes the loaded model)"
                              : "VmHWM; clear_refs not permitted: includes earlier phases");
    if (!mb.has("rss_anon_mb")) mb.add("rss_anon_mb", anon, "MB", n, "max RssAnon while running");
    if (!mb.has("rss_file_mb")) mb.add("rss_file_mb", file, "MB", n, "max RssFile while running (mmapped weights)");
    const double wall_s = (rs.back().t_ms - rs.front().t_ms) / 1000.0;
    const double cpu_s = (rs.back().cpu_user_s + rs.back().cpu_sys_s) - (rs.front().cpu_user_s + rs.front().cpu_sys_s);
    if (wall_s > 0) {
        mb.add("cpu_util_pct", 100.0 * cpu_s / wall_s, "%", n, "delta(utime+stime) / delta(wall), % of one core");
        if (logical_cores > 0)
            mb.add("cpu_util_pct_all_cores", 100.0 * cpu_s / wall_s / logical_cores, "%", n,
                   "% of all logical cores");
    }
    int threads = 0;
    for (const auto& s : rs) threads = std::max(threads, s.threads);
    mb.add("threads_max", threads, "threads", n, "max OS threads of the process");
}

// CPU time the rest of the machine took during the workload (system_cpu.h). Not for runs over
// HTTP: there the server is one of the "other" processes.
struct MachineCpuWindow {
    std::optional<sys::SystemCpu> system;
    sys::CpuTimes own;
    static MachineCpuWindow now() { return {sys::read_system_cpu(), sys::process_cpu_times()}; }
};

void add_interference_metrics(tbdb::RunRecord& run, const MachineCpuWindow& before, const MachineCpuWindow& after) {
    if (!before.system || !after.system) return;
    const double own_s = (after.own.user_s + after.own.sys_s) - (before.own.user_s + before.own.sys_s);
    metrics::add_interference_metrics(
        run.metrics, sys::cpu_interference(*before.system, *after.system, own_s, static_cast<double>(sysconf(_SC_CLK_TCK))));
}

std::vector<std::string> resolve_prompts(const BenchmarkSpec& spec) {
    if (!spec.prompts.empty()) return spec.prompts;
    if (!spec.prompts_file.empty()) return load_prompts_file(spec.prompts_file);
    return default_prompts();
}

// Live tok/s every 500 ms from the token counter.
// Runs fn on the loop's thread and waits for it.
template <class F>
void run_on_loop(boost::asio::io_context& io, F fn) {
    std::promise<void> done;
    boost::asio::post(io, [&] {
        fn();
        done.set_value();
    });
    done.get_future().wait();
}

class ThroughputTicker {
public:
    ThroughputTicker(boost::asio::io_context& io, RunEvents& ev) : timer_(io), ev_(ev) {}
    void start() { arm(); }
    // Cancels the timer and reports the tokens since the last tick, so short runs get a point.
    void stop() {
        timer_.cancel();
        tick();
    }

private:
    void arm() {
        timer_.expires_after(std::chrono::milliseconds(500));
        timer_.async_wait([this](const boost::system::error_code& ec) {
            if (ec) return;
            tick();
            arm();
        });
    }
    void tick() {
        const auto now = Clock::now();
        const int64_t tokens = ev_.tokens();
        const double dt = std::chrono::duration<double>(now - last_).count();
        if (dt > 0 && tokens > last_tokens_) ev_.throughput(ev_.elapsed_s(), (tokens - last_tokens_) / dt);
        last_ = now;
        last_tokens_ = tokens;
    }
    boost::asio::steady_timer timer_;
    RunEvents& ev_;
    Clock::time_point last_ = Clock::now();
    int64_t last_tokens_ = 0;
};

}  // namespace

Runner::Runner(tbdb::RunStore& store) : store_(store) {}

void Runner::set_save_retry(const SaveRetry& retry) { save_retry_ = retry; }

tbdb::RunRecord Runner::run(const BenchmarkSpec& spec, RunObserver* observer,
                            const std::atomic<bool>* cancel) {
    last_input_error_ = false;
    tbdb::RunRecord run;
    run.uuid = make_uuid();
    run.started_at = tbdb::utc_timestamp_now();
    run.status = tbdb::RunStatus::Running;
    run.workload = spec.workload;
    run.kernel = spec.kernel;
    run.implementation = "ternbench/" + spec.kernel;
    run.impl_version = TERNBENCH_GIT_COMMIT;
    run.threads = spec.threads > 0 ? spec.threads : std::max(1, tern::ThreadPool::physical_cores());
    run.config_json = spec.to_json().dump();
    run.source = "run";
    run.host = sys::collect_host_info();
    run.model.path = spec.model_path;

    // Bad flags are refused before anything is made, opened or stored (nothing to keep).
    const RunCheck check = check_run_inputs(spec);
    if (check.kind == RunCheck::Kind::BadFlags) {
        run.status = tbdb::RunStatus::Failed;
        run.error = check.message;
        run.finished_at = tbdb::utc_timestamp_now();
        return run;   // id 0: not stored
    }
    // Input errors before the row exists are still stored: remember them and fail right after.
    std::string early_error = check.message;
    const bool remote = !spec.endpoint.empty();
    if (remote) {   // the server's implementation and build replace these once it is probed
        run.kernel.clear();
        run.implementation = "http";
        // The server's threads are what the user states (0: not stated), not this machine's cores.
        run.threads = spec.threads;
    } else {
        run.kernel = tern::select_kernels(spec.kernel).name;   // known and available: checked above
        run.implementation = "ternbench/" + run.kernel;
    }
    // A damaged page would be written over without a word: refuse before measuring anything.
    tbdb::require_sound_for_write(store_);
    run.id = store_.begin_run(run);  // StoreError propagates: there is nowhere to keep the run
    if (observer) observer->on_started(run.id, run);

    const auto t0 = Clock::now();
    RunEvents events(observer, run.id, t0);
    // Between phases that cannot stop midway: a raised cancel ends the run here.
    auto stop_if_cancelled = [&](const char* before) {
        if (cancel && cancel->load()) throw std::runtime_error(std::string("cancelled before ") + before);
    };
    std::unique_ptr<http::RemoteSetup> remote_setup;
    try {
        if (!early_error.empty()) throw std::runtime_error(early_error);
        if (spec.model_path.empty() && !remote) {
            tern::DemoSpec demo;
            demo.preset = spec.demo_preset;
            demo.type = spec.demo_type;
            demo.arch = spec.demo_arch;
            events.progress("preparing demo model " + spec.demo_preset, 0, 0);
            try {
                run.model.path = sys::ensure_verified_demo_model(demo);
            } catch (const std::exception& e) {
                throw std::runtime_error(std::string("demo model: ") + e.what());
            }
        }
        // Over HTTP without --model the server's /tokenize is used and no file is read here.
        if (!run.model.path.empty()) {
            stop_if_cancelled("inspecting the model");
            struct stat st{};
            if (::stat(run.model.path.c_str(), &st) != 0)
                throw std::runtime_error("model file not found: " + run.model.path);
            run.model.size_bytes = st.st_size;
            events.progress("inspecting model", 0, 0);
            const auto info = tern::Model::inspect(run.model.path);
            run.model.arch = info.hparams.arch_name;
            run.model.ternary_type = info.ternary_type;
            run.model.n_params = info.n_params;
            // A server may run files the engine cannot (only the tokenizer is read here then).
            if (!info.supported && !remote)
                throw std::runtime_error("unsupported model " + run.model.path + ": " + info.unsupported_reason);
            run.model.sha256 = sys::file_sha256(run.model.path);
        }
        stop_if_cancelled("loading the model");

        WorkloadFn workload = find_workload(spec.workload);
        if (!workload) throw std::runtime_error("unknown workload " + spec.workload);
        std::shared_ptr<const tern::Model> model;
        if (remote) {
            events.progress("contacting " + spec.endpoint, 0, 0);
            remote_setup = http::prepare_remote(spec, run.model.path, run.threads);
            run.implementation = remote_setup->info.implementation;
            run.impl_version = remote_setup->info.build;
            auto config = nlohmann::json::parse(run.config_json);
            config["http"] = remote_setup->describe();
            run.config_json = config.dump();
        } else if (workload_needs_model(spec.workload)) {
            events.progress("loading model", 0, 0);
            tern::LoadOptions lo;
            lo.kernel = spec.kernel;
            lo.threads = run.threads;
            model = tern::Model::load(run.model.path, lo);
            run.kernel = model->kernels().name;
            run.implementation = "ternbench/" + run.kernel;
            const auto& ls = model->load_stats();
            metrics::MetricBuilder(run.metrics).add("model_load_ms", ls.total_ms, "ms", 1,
                                                    "in-process load (map + repack on " +
                                                        std::to_string(ls.repack_threads) + " threads)");
        }
        stop_if_cancelled("the workload");
        WorkloadContext ctx{spec, run.model.path, model, resolve_prompts(spec), run.threads,
                            run, events, cancel, t0};
        if (remote_setup) ctx.remote = &remote_setup->remote;
        // The same ids a server is sent as logit_bias, forbidden in the engine's sampler.
        if (model) ctx.forbidden_tokens = forbidden_token_ids(spec, &model->tokenizer().vocab());

        ControlLoop loop;
        const bool peak_reset = sys::reset_peak_rss();
        sys::ResourceSampler sampler(loop.io().get_executor(),
                                     std::chrono::milliseconds(spec.sampler_interval_ms), t0);
        ThroughputTicker ticker(loop.io(), events);
        const MachineCpuWindow cpu_before = MachineCpuWindow::now();
        sampler.start();
        run_on_loop(loop.io(), [&ticker] { ticker.start(); });
        try {
            run_workload_keeping_measured(workload, ctx);
        } catch (...) {
            if (remote_setup) remote_setup->timings->add_metrics(run, t0);
            run_on_loop(loop.io(), [&ticker] { ticker.stop(); });
            sampler.stop();
            run.resources = sampler.samples();
            throw;
        }
        // Synchronous: the ticker's timer is only touched on the loop thread and is stopped
        // before it goes out of scope.
        run_on_loop(loop.io(), [&ticker] { ticker.stop(); });
        sampler.stop();
        run.resources = sampler.samples();
        // Over HTTP the sampled process is the client, not the server: no memory/CPU figures.
        if (remote_setup) remote_setup->timings->add_metrics(run, t0);
        else {
            add_resource_metrics(run, run.resources, peak_reset, run.host.logical_cores);
            add_interference_metrics(run, cpu_before, MachineCpuWindow::now());
        }
        const bool was_cancelled = cancel && cancel->load();
        run.status = was_cancelled ? tbdb::RunStatus::Cancelled : tbdb::RunStatus::Completed;
        if (was_cancelled) run.error = "cancelled by the user; figures cover what was measured";
    } catch (const std::exception& e) {
        run.status = (cancel && cancel->load()) ? tbdb::RunStatus::Cancelled : tbdb::RunStatus::Failed;
        run.error = e.what();
        last_input_error_ = dynamic_cast<const InputError*>(&e) != nullptr;
    }
    run.finished_at = tbdb::utc_timestamp_now();
    if (before_store_) before_store_(run);
    if (observer) observer->on_storing(run.id);
    // What was measured outlives a store that refuses it: retried, else kept in a file.
    save_or_spill(store_, {run}, [&] { store_.finish_run(run); }, save_retry_);
    if (observer) observer->on_finished(run.id, run);
    return run;
}

}  // namespace bench
