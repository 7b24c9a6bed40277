// `load`: model load in a child process (`ternbench __load-probe`), cold (the model file's
// pages evicted with posix_fadvise DONTNEED first) and warm (right after). Reports the child's
// own load time, time to first token from spawn, and its own VmHWM (not ru_maxrss, which is
// inherited across exec).
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "app/metrics/metric_builder.h"
#include "app/system/child_process.h"
#include "app/system/model_file.h"
#include "app/workloads/workload_common.h"

namespace bench {
namespace {

struct ProbeFigures {
    double load_ms = 0, first_token_from_spawn_ms = 0, vm_hwm_mb = 0, rss_anon_mb = 0, rss_file_mb = 0;
};

ProbeFigures probe(WorkloadContext& ctx) {
    const std::vector<std::string> args = {"__load-probe", "--model", ctx.model_path, "--kernel",
                                           ctx.spec.kernel, "--threads", std::to_string(ctx.threads)};
    const auto res = sys::run_child(sys::self_executable(), args, std::chrono::minutes(10), ctx.cancel);
    if (res.cancelled) throw std::runtime_error("cancelled");
    auto j = nlohmann::json::parse(res.out.substr(0, res.out.find('\n')), nullptr, false);
    if (!res.ok()) {
        std::string why = res.describe();
        if (j.is_object() && j.contains("error")) why += ": " + j["error"].get<std::string>();
        else if (!res.err.empty()) why += ": " + res.err.substr(0, 500);
        throw std::runtime_error("load probe " + why);
    }
    if (!j.is_object() || !j.contains("t_first_token_ns") || !j.contains("load_ms"))
        throw std::runtime_error("load probe printed no timings: " + res.out.substr(0, 200));
    const int64_t spawned_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   res.spawned.time_since_epoch()).count();
    ProbeFigures f;
    f.load_ms = j["load_ms"].get<double>();
    f.first_token_from_spawn_ms = (j["t_first_token_ns"].get<int64_t>() - spawned_ns) / 1e6;
    f.vm_hwm_mb = j.value("vm_hwm_mb", 0.0);
    f.rss_anon_mb = j.value("rss_anon_mb", 0.0);
    f.rss_file_mb = j.value("rss_file_mb", 0.0);
    return f;
}

}  // namespace

void run_load(WorkloadContext& ctx) {
    tbdb::SampleSeries cold{"load_ms_cold", "ms", {}}, warm{"load_ms_warm", "ms", {}};
    tbdb::SampleSeries ttft_cold{"first_token_from_spawn_ms_cold", "ms", {}};
    tbdb::SampleSeries ttft_warm{"first_token_from_spawn_ms_warm", "ms", {}};
    tbdb::SampleSeries hwm{"child_peak_rss_mb", "MB", {}}, anon{"child_rss_anon_mb", "MB", {}},
        file{"child_rss_file_mb", "MB", {}};
    std::string evict_error;
    const int passes = ctx.spec.warmup + ctx.spec.repetitions;
    for (int pass = 0; pass < passes; ++pass) {
        if (ctx.cancelled()) break;
        const bool is_warmup = pass < ctx.spec.warmup;
        ctx.events.progress(is_warmup ? phase_name(true, pass + 1, ctx.spec.warmup)
                                      : phase_name(false, pass - ctx.spec.warmup + 1, ctx.spec.repetitions),
                            pass, passes);
        // Cold: evict, then load. If eviction fails the "cold" figure would be a lie: fail.
        evict_error = sys::evict_from_page_cache(ctx.model_path);
        if (!evict_error.empty()) throw std::runtime_error("cold load impossible: " + evict_error);
        ProbeFigures c, w;
        try {
            c = probe(ctx);
            w = probe(ctx);  // warm: the pages the cold run read are now cached
        } catch (const std::runtime_error&) {
            if (ctx.cancelled()) break;
            throw;
        }
        if (is_warmup) continue;
        cold.values.push_back(c.load_ms);
        warm.values.push_back(w.load_ms);
        ttft_cold.values.push_back(c.first_token_from_spawn_ms);
        ttft_warm.values.push_back(w.first_token_from_spawn_ms);
        for (const auto* f : {&c, &w}) {
            hwm.values.push_back(f->vm_hwm_mb);
            anon.values.push_back(f->rss_anon_mb);
            file.values.push_back(f->rss_file_mb);
        }
    }
    ctx.events.progress("done", passes, passes);

    metrics::MetricBuilder mb(ctx.run.metrics);
    mb.add_summary("load_ms_cold", cold.values, "ms");
    mb.add_summary("load_ms_warm", warm.values, "ms");
    mb.add_summary("first_token_from_spawn_ms_cold", ttft_cold.values, "ms");
    mb.add_summary("first_token_from_spawn_ms_warm", ttft_warm.values, "ms");
    // The memory figures of this workload are the child's own (the runner keeps them).
    auto max_of = [](const std::vector<double>& v) -> std::optional<double> {
        if (v.empty()) return std::nullopt;
        return *std::max_element(v.begin(), v.end());
    };
    mb.add("peak_rss_mb", max_of(hwm.values), "MB", int64_t(hwm.values.size()), "child VmHWM, max over probes");
    mb.add("rss_anon_mb", max_of(anon.values), "MB", int64_t(anon.values.size()), "child RssAnon after first token");
    mb.add("rss_file_mb", max_of(file.values), "MB", int64_t(file.values.size()), "child RssFile after first token");
    for (auto* s : {&cold, &warm, &ttft_cold, &ttft_warm, &hwm, &anon, &file}) ctx.run.samples.push_back(std::move(*s));
}

}  // namespace bench
