// `kernel`: every available kernel set on the model's real matrix shapes (decode m=1 and a
// prefill-sized m), against the machine's read bandwidth and int8 multiply-add peak measured in
// the same run: GOPS, weight GB/s, % of the bandwidth roof (decode is memory-bound) and % of the
// compute roof (prefill/batched shapes are bound by the multiply-adds) per (kernel, shape).
#include <set>

#include "app/metrics/metric_builder.h"
#include "app/workloads/workload_common.h"
#include "engine/bench/kernel_bench.h"
#include "engine/kernels/kernel_set.h"

namespace bench {

void run_kernel(WorkloadContext& ctx) {
    const auto& hp = ctx.model->hparams();
    // Distinct (n, k) of the linear layers: q/k/v/o, gate/up, down.
    std::set<std::pair<int64_t, int64_t>> nk = {
        {hp.n_embd, hp.n_embd}, {hp.n_head_kv * hp.head_dim, hp.n_embd},
        {hp.n_ff, hp.n_embd},   {hp.n_embd, hp.n_ff}};
    std::vector<tern::KernelShape> shapes;
    for (auto [n, k] : nk)
        if (n > 0 && k > 0 && k % 128 == 0) {
            shapes.push_back({n, k, 1});
            shapes.push_back({n, k, std::min<int64_t>(ctx.spec.n_prompt, 64)});
        }
    std::vector<std::string> kernels;
    if (ctx.spec.kernel == "auto" || ctx.spec.kernel.empty())
        for (const auto* k : tern::available_kernels()) kernels.push_back(k->name);
    else
        kernels.push_back(ctx.spec.kernel);

    ctx.events.progress("read bandwidth", 0, 1);
    const double bw = tern::measure_read_bandwidth_gbs(ctx.threads);
    metrics::MetricBuilder mb(ctx.run.metrics);
    mb.add("read_bandwidth_gbs", bw, "GB/s", 1, "streaming read, measured in this run");
    ctx.events.progress("int8 peak", 0, 1);
    const double peak = tern::measure_int8_peak_gops(ctx.threads);
    if (peak > 0)  // 0 = no AVX2 here: not measurable, so not stored
        mb.add("int8_peak_gops", peak, "GOPS", 1, "vpmaddubsw+vpaddw chains on every thread, measured in this run");

    tern::KernelBenchOptions opt;
    opt.shapes = shapes;
    opt.kernels = kernels;
    opt.threads = ctx.threads;
    opt.repetitions = std::max(1, ctx.spec.repetitions);
    opt.seed = ctx.spec.seed;
    opt.cancel = ctx.cancel;
    const int64_t total = int64_t(shapes.size() * kernels.size());
    int64_t done = 0;
    opt.on_result = [&](const tern::KernelBenchResult&) { ctx.events.progress("kernels", ++done, total); };
    const auto results = tern::run_kernel_bench(opt);
    for (const auto& r : results) {
        const std::string key = r.kernel + "_n" + std::to_string(r.n) + "_k" + std::to_string(r.k) +
                                "_m" + std::to_string(r.m);
        mb.add("gops_" + key, r.gops, "GOPS", r.repetitions, "2*N*K*M / median time");
        mb.add("weight_gbs_" + key, r.weight_gbs, "GB/s", r.repetitions, "weight bytes / median time");
        if (bw > 0)
            mb.add("roofline_pct_" + key, 100.0 * r.weight_gbs / bw, "%", r.repetitions,
                   "weight GB/s / measured read bandwidth");
        if (peak > 0 && r.m > 1)
            mb.add("compute_pct_" + key, 100.0 * r.gops / peak, "%", r.repetitions, "GOPS / measured int8 peak");
        ctx.run.samples.push_back({"median_s_" + key, "s", {r.median_seconds}});
    }
}

}  // namespace bench
