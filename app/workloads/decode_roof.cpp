#include "app/workloads/decode_roof.h"

#include <algorithm>

#include "app/metrics/metric_builder.h"
#include "app/stats/summary.h"
#include "app/stats/text_format.h"
#include "app/workloads/kernel_shares.h"
#include "engine/base/thread_pool.h"
#include "engine/model/model.h"
#include "engine/model/weight_read_probe.h"

namespace bench {

namespace {

void note(std::vector<tbdb::Metric>& metrics, const std::string& name, const std::string& text) {
    for (auto& m : metrics)
        if (m.name == name) m.note = text;
}

}  // namespace

struct DecodeRoofProbe::Impl {
    std::shared_ptr<const tern::Model> model;
    tern::ThreadPool pool;
    std::vector<double> read_gbs;
    Impl(std::shared_ptr<const tern::Model> m, int threads) : model(std::move(m)), pool(threads) {}
};

DecodeRoofProbe::DecodeRoofProbe(const WorkloadContext& ctx) : impl_(std::make_unique<Impl>(ctx.model, ctx.threads)) {}
DecodeRoofProbe::~DecodeRoofProbe() = default;

void DecodeRoofProbe::measure() { impl_->read_gbs.push_back(tern::measure_weight_read_gbs(*impl_->model, impl_->pool)); }

void DecodeRoofProbe::add_metrics(WorkloadContext& ctx, const std::vector<double>& tok_s) const {
    // A cancelled run can have one probe more than finished repetitions.
    const size_t n = std::min(tok_s.size(), impl_->read_gbs.size());
    if (n == 0) return;
    const double bytes_per_token = static_cast<double>(impl_->model->load_stats().weight_bytes_in_memory);
    std::vector<double> decode_gbs, read_gbs(impl_->read_gbs.begin(), impl_->read_gbs.begin() + static_cast<long>(n));
    for (size_t i = 0; i < n; ++i) decode_gbs.push_back(bytes_per_token * tok_s[i] / 1e9);

    metrics::MetricBuilder mb(ctx.run.metrics);
    mb.add_summary("decode_weight_gbs", decode_gbs, "GB/s");
    note(ctx.run.metrics, "decode_weight_gbs",
         "weights read per token (" + format_number(bytes_per_token / 1e6) +
             " MB; KV cache and embedding row not counted) x tok/s");
    mb.add_summary("weights_read_gbs", read_gbs, "GB/s");
    note(ctx.run.metrics, "weights_read_gbs",
         "the same weights streamed with no arithmetic, four streams per thread, just before each repetition");
    add_roof_share(mb, "decode_roof_pct", median_of(decode_gbs), median_of(read_gbs), "GB/s",
                   "median decode weight GB/s", "median weight read GB/s", static_cast<int64_t>(n));
    ctx.run.samples.push_back({"decode_weight_gbs", "GB/s", decode_gbs});
    ctx.run.samples.push_back({"weights_read_gbs", "GB/s", read_gbs});
}

}  // namespace bench
