// `server`: Poisson arrivals at rate r for d seconds through the Scheduler (arrivals driven by
// an asio steady_timer). Goodput = requests meeting both SLOs (TTFT <= slo_ttft and, when the
// request has >= 2 tokens, TPOT <= slo_tpot) / (last completion - window start); achieved
// rate = submitted / arrival window.
#include <algorithm>
#include <random>
#include <stdexcept>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "app/core/engine_options.h"
#include "app/metrics/metric_builder.h"
#include "app/metrics/request_metrics.h"
#include "app/workloads/request_tracker.h"
#include "app/workloads/workload_common.h"

namespace bench {
namespace {

using Clock = std::chrono::steady_clock;

struct PassFigures {
    double goodput_req_s = 0, achieved_rate_req_s = 0, slo_attainment_pct = 0;
};

// Submits at Poisson arrival times until the window closes (or cancel); returns window start.
Clock::time_point drive_arrivals(WorkloadContext& ctx, RequestTracker& tracker,
                                 const std::vector<std::vector<int32_t>>& prompts, uint64_t& seq,
                                 std::mt19937_64& rng) {
    boost::asio::io_context io;
    boost::asio::steady_timer timer(io);
    std::exponential_distribution<double> gap_s(ctx.spec.arrival_rate);
    const auto start = Clock::now();
    const auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(ctx.spec.duration_s));
    auto next_at = start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(gap_s(rng)));
    std::function<void()> arm = [&] {
        if (next_at >= deadline || ctx.cancelled()) return;
        // Wake at least every 100 ms so a cancel is seen even between sparse arrivals.
        const auto wake = std::min(next_at, Clock::now() + std::chrono::milliseconds(100));
        timer.expires_at(wake);
        timer.async_wait([&](const boost::system::error_code& ec) {
            if (ec) return;
            if (Clock::now() >= next_at) {
                const size_t i = tracker.submitted();
                tracker.submit(prompts[i % prompts.size()], generation_params(ctx, seq++),
                               [&](const tern::TokenEvent&) { ctx.events.count_tokens(1); });
                next_at += std::chrono::duration_cast<Clock::duration>(
                    std::chrono::duration<double>(gap_s(rng)));
                const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
                ctx.events.progress(
                    "arrivals", static_cast<int64_t>(elapsed * 10),
                    static_cast<int64_t>(ctx.spec.duration_s * 10));
            }
            arm();
        });
    };
    arm();
    io.run();
    return start;
}

}  // namespace

void run_server(WorkloadContext& ctx) {
    const auto prompts = tokenize_prompts(ctx);
    const auto sink = open_request_sink(ctx, scheduler_options(ctx.spec, ctx.threads, ctx.spec.concurrency));
    auto& scheduler = *sink;
    uint64_t seq = 0;

    // Warm-up: one request per warm-up run, alone (a full arrival window would cost d seconds).
    for (int w = 0; w < ctx.spec.warmup && !ctx.cancelled(); ++w) {
        ctx.events.progress(phase_name(true, w + 1, ctx.spec.warmup), w, ctx.spec.warmup);
        RequestTracker tracker(scheduler);
        tracker.submit(prompts[w % prompts.size()], generation_params(ctx, seq++));
        tracker.wait_all(ctx.cancel);
    }

    tbdb::SampleSeries goodput{"goodput_req_s", "req/s", {}};
    tbdb::SampleSeries achieved{"achieved_rate_req_s", "req/s", {}};
    tbdb::SampleSeries attainment{"slo_attainment_pct", "%", {}};
    tbdb::SampleSeries failed_series{"requests_failed", "requests", {}};
    std::string first_failure;
    int index = 0;
    for (int rep = 0; rep < ctx.spec.repetitions && !ctx.cancelled(); ++rep) {
        std::mt19937_64 rng(ctx.spec.seed + 7919 * uint64_t(rep));
        RequestTracker tracker(scheduler);
        const auto window_start = drive_arrivals(ctx, tracker, prompts, seq, rng);
        const double window_s = std::chrono::duration<double>(Clock::now() - window_start).count();
        ctx.events.progress(phase_name(false, rep + 1, ctx.spec.repetitions) + " draining",
                            rep, ctx.spec.repetitions);
        const bool cancelled = tracker.wait_all(ctx.cancel);
        if (cancelled) break;  // the window was cut short: not a sample of this rate

        // A load test counts a request the server refused (503 from a full queue) or that
        // stalled as failed -- not good, still offered -- instead of discarding the window, as
        // serving benchmarks do; only a window where nothing succeeded ends the run.
        int good = 0, n = 0, failed = 0;
        double last_done_ms = metrics::ms_between(ctx.t0, window_start);
        std::vector<tbdb::RequestRecord> recs;
        for (const auto& res : tracker.results()) {
            if (res.stop == tern::StopReason::Error) {
                ++failed;
                if (first_failure.empty()) first_failure = res.error;
                continue;
            }
            recs.push_back(metrics::to_request_record(res, ctx.t0, index++, rep));
        }
        if (recs.empty() && failed > 0)
            throw std::runtime_error("generation failed: every request of repetition " + std::to_string(rep + 1) +
                                     " failed (" + std::to_string(failed) + "), the first: " + first_failure);
        n = failed;
        failed_series.values.push_back(failed);
        for (auto& rec : recs) {
            ++n;
            const auto tpot = metrics::tpot_ms(rec);
            if (rec.ttft_ms && *rec.ttft_ms <= ctx.spec.slo_ttft_ms &&
                (!tpot || *tpot <= ctx.spec.slo_tpot_ms))
                ++good;
            if (rec.e2e_ms) last_done_ms = std::max(last_done_ms, rec.submit_ms + *rec.e2e_ms);
            ctx.events.request_done(rec);
            ctx.run.requests.push_back(std::move(rec));
        }
        const double span_s = (last_done_ms - metrics::ms_between(ctx.t0, window_start)) / 1000.0;
        if (span_s > 0) goodput.values.push_back(good / span_s);
        if (window_s > 0) achieved.values.push_back(n / window_s);
        if (n > 0) attainment.values.push_back(100.0 * good / n);
    }

    add_latency_metrics(ctx, /*with_itl=*/false);
    metrics::MetricBuilder mb(ctx.run.metrics);
    mb.add_summary("goodput_req_s", goodput.values, "req/s");
    mb.add_summary("achieved_rate_req_s", achieved.values, "req/s");
    mb.add_summary("slo_attainment_pct", attainment.values, "%");
    mb.add("offered_rate_req_s", ctx.spec.arrival_rate, "req/s", 1);
    double failed_total = 0;
    for (double f : failed_series.values) failed_total += f;
    mb.add("requests_failed", failed_total, "requests", static_cast<int64_t>(failed_series.values.size()),
           failed_total > 0 ? "counted as not good; the first: " + first_failure : std::string());
    if (failed_total > 0)
        ctx.events.log("warning: " + std::to_string(static_cast<int64_t>(failed_total)) +
                       " request(s) failed and count as not good (the first: " + first_failure + ")");
    ctx.run.samples.push_back(std::move(goodput));
    ctx.run.samples.push_back(std::move(achieved));
    ctx.run.samples.push_back(std::move(attainment));
    ctx.run.samples.push_back(std::move(failed_series));
}

}  // namespace bench
