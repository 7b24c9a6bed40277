// `kernel`: every available kernel set on the model's real matrix shapes (decode m=1, batched
// decode m=8 and a prefill-sized m), against the machine's read bandwidth and the int8
// multiply-add peak of each instruction family the kernels use, measured in the same run (before
// and after the kernels; the higher figure is the roof): GOPS, weight GB/s, % of the bandwidth
// roof (decode is memory-bound) and % of the peak of the family each kernel really runs
// (prefill/batched shapes are bound by the multiply-adds) per (kernel, shape). A percentage above
// 100 means a disturbed roof measurement: it is stored as missing with the two figures, not
// clamped.
#include <algorithm>
#include <map>
#include <set>

#include "app/metrics/metric_builder.h"
#include "app/workloads/kernel_shares.h"
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
            shapes.push_back({n, k, 8});
            shapes.push_back({n, k, std::min<int64_t>(ctx.spec.n_prompt, 64)});
        }
    std::vector<std::string> kernels;
    if (ctx.spec.kernel == "auto" || ctx.spec.kernel.empty())
        for (const auto* k : tern::available_kernels()) kernels.push_back(k->name);
    else
        kernels.push_back(ctx.spec.kernel);

    // The roofs, measured before and after the kernels; the higher reading counts (another
    // process taking the CPU or the memory during one of them only lowers it).
    double bw = 0;
    std::map<std::string, double> peaks;
    auto measure_roofs = [&] {
        ctx.events.progress("read bandwidth", 0, 1);
        bw = std::max(bw, tern::measure_read_bandwidth_gbs(ctx.threads));
        ctx.events.progress("int8 peaks", 0, 1);
        for (const auto& r : tern::measure_compute_roofs(ctx.threads)) peaks[r.family] = std::max(peaks[r.family], r.gops);
    };
    measure_roofs();
    metrics::MetricBuilder mb(ctx.run.metrics);

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
    measure_roofs();
    mb.add("read_bandwidth_gbs", bw, "GB/s", 2, "streaming read, four streams per thread, best of two in this run");
    double best_peak = 0;
    for (const auto& [family, gops] : peaks) {
        mb.add("int8_peak_gops_" + family, gops, "GOPS", 2, "independent " + family + " chains on every thread, fastest of 5 passes, best of two probes");
        best_peak = std::max(best_peak, gops);
    }
    if (best_peak > 0)  // none = scalar only: not measurable, so not stored
        mb.add("int8_peak_gops", best_peak, "GOPS", 2, "highest int8 multiply-add peak of the families above");
    for (const auto& r : results) {
        const std::string key = r.kernel + "_n" + std::to_string(r.n) + "_k" + std::to_string(r.k) +
                                "_m" + std::to_string(r.m);
        mb.add("gops_" + key, r.gops, "GOPS", r.repetitions,
               "2*N*K*M / median time of one product (" + std::to_string(r.products_per_repetition) +
                   " products per repetition)");
        mb.add("weight_gbs_" + key, r.weight_gbs, "GB/s", r.repetitions, "weight bytes / median time");
        add_roof_shares(mb, key, r, bw, peaks);
        ctx.run.samples.push_back({"median_s_" + key, "s", {r.median_seconds}});
    }
}

}  // namespace bench
