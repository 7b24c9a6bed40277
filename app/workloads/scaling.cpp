// `scaling`: sweeps compute threads x concurrent requests. Each point runs `concurrency`
// requests at once through a Scheduler with that many threads; tok/s = output tokens /
// makespan (median over repetitions). Efficiency of a point = tok/s / (tok/s at 1 thread with
// the same concurrency x threads): 100% is perfect thread scaling. Concurrency speedup =
// tok/s / tok/s at concurrency 1 with the same threads.
#include <algorithm>
#include <map>
#include <stdexcept>

#include "app/core/engine_options.h"
#include "app/metrics/metric_builder.h"
#include "app/metrics/request_metrics.h"
#include "app/stats/summary.h"
#include "app/workloads/request_tracker.h"
#include "app/workloads/workload_common.h"
#include "engine/base/thread_pool.h"

namespace bench {
namespace {

std::string point_name(int t, int c) {
    std::string s = "t";  // built by appending: GCC 12 warns falsely on "literal" + string&&
    s += std::to_string(t);
    s += "_c";
    s += std::to_string(c);
    return s;
}

}  // namespace

void run_scaling(WorkloadContext& ctx) {
    const auto prompts = tokenize_prompts(ctx);
    std::vector<int> threads = ctx.spec.sweep_threads;
    if (ctx.remote && ctx.remote->server_threads <= 0)
        throw std::runtime_error("scaling over HTTP needs --threads N: the thread count the server runs with");
    if (threads.empty() && ctx.remote) threads = {ctx.remote->server_threads};
    if (threads.empty())
        for (int t = 1; t <= std::max(1, tern::ThreadPool::physical_cores()); ++t) threads.push_back(t);
    std::vector<int> conc = ctx.spec.sweep_concurrency;
    if (conc.empty()) conc = {1, 2, 4, 8};

    const int passes = ctx.spec.warmup + ctx.spec.repetitions;
    const int64_t total = int64_t(threads.size() * conc.size()) * passes;
    int64_t done = 0;
    uint64_t seq = 0;
    int index = 0, point_index = 0;
    std::map<std::pair<int, int>, double> median_tok_s;
    metrics::MetricBuilder mb(ctx.run.metrics);

    for (int t : threads) {
        for (int c : conc) {
            if (ctx.cancelled()) break;
            if (ctx.remote && t != ctx.remote->server_threads)
                throw std::runtime_error("over HTTP the server's thread count is fixed (" +
                                         std::to_string(ctx.remote->server_threads) +
                                         "): --sweep-threads can only be " + std::to_string(ctx.remote->server_threads));
            const auto sink = open_request_sink(ctx, scheduler_options(ctx.spec, t, c));
            auto& scheduler = *sink;
            tbdb::SampleSeries series{"tok_s_" + point_name(t, c), "tok/s", {}};
            for (int pass = 0; pass < passes && !ctx.cancelled(); ++pass) {
                const bool warm = pass < ctx.spec.warmup;
                ctx.events.progress("point " + point_name(t, c), done++, total);
                RequestTracker tracker(scheduler);
                for (int i = 0; i < c; ++i)
                    tracker.submit(prompts[i % prompts.size()], generation_params(ctx, seq++),
                                   [&](const tern::TokenEvent&) { ctx.events.count_tokens(1); });
                if (tracker.wait_all(ctx.cancel) || warm) continue;
                std::vector<tbdb::RequestRecord> recs;
                try {
                    // repetition = point index, so per-point requests stay apart in the store.
                    keep_results(ctx, tracker.results(), index, point_index, &recs);
                } catch (...) {
                    for (auto& r : recs) ctx.run.requests.push_back(std::move(r));
                    throw;
                }
                if (auto v = metrics::output_tok_s(recs)) series.values.push_back(*v);
                for (auto& r : recs) ctx.run.requests.push_back(std::move(r));
            }
            if (!series.values.empty()) {
                const double med = median_of(series.values);
                median_tok_s[{t, c}] = med;
                mb.add("tok_s_" + point_name(t, c), med, "tok/s", int64_t(series.values.size()),
                       "median over repetitions");
            }
            ctx.run.samples.push_back(std::move(series));
            ++point_index;
        }
    }
    ctx.events.progress("done", done, total);

    // Efficiency needs the 1-thread point of the same concurrency; missing otherwise.
    for (const auto& [key, v] : median_tok_s) {
        const auto [t, c] = key;
        auto base = median_tok_s.find({1, c});
        if (base != median_tok_s.end() && base->second > 0)
            mb.add("efficiency_pct_" + point_name(t, c), 100.0 * v / (base->second * t), "%", 1,
                   "tok/s / (tok/s at 1 thread x threads)");
        else
            mb.add("efficiency_pct_" + point_name(t, c), std::nullopt, "%", 0,
                   "no 1-thread point with this concurrency in the sweep");
        auto c1 = median_tok_s.find({t, 1});
        if (c1 != median_tok_s.end() && c1->second > 0)
            mb.add("concurrency_speedup_" + point_name(t, c), v / c1->second, "x", 1,
                   "tok/s / tok/s at concurrency 1");
    }
    // Headline: the best point.
    if (!median_tok_s.empty()) {
        auto best = std::max_element(median_tok_s.begin(), median_tok_s.end(),
                                     [](const auto& a, const auto& b) { return a.second < b.second; });
        mb.add("output_tok_s", best->second, "tok/s", 1,
               "best sweep point " + point_name(best->first.first, best->first.second));
    }
}

}  // namespace bench
