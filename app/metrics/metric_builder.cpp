#include "app/metrics/metric_builder.h"

#include <algorithm>

#include "app/stats/summarize_metric.h"

namespace bench::metrics {

void MetricBuilder::set(const tbdb::Metric& m) {
    auto it = std::find_if(out_.begin(), out_.end(), [&](const auto& x) { return x.name == m.name; });
    if (it != out_.end()) *it = m;
    else out_.push_back(m);
}

bool MetricBuilder::has(const std::string& name) const {
    return std::any_of(out_.begin(), out_.end(), [&](const auto& x) { return x.name == name; });
}

void MetricBuilder::add(const std::string& name, std::optional<double> value,
                        const std::string& unit, int64_t n, const std::string& note) {
    set(make_metric(name, value, unit, n, note));
}

void MetricBuilder::add_percentiles(const std::string& base, const std::vector<double>& values,
                                    std::initializer_list<double> ps, const std::string& unit) {
    SummarizeOptions opt;
    opt.mean = false;
    opt.spread = false;
    opt.percentile_list.assign(ps.begin(), ps.end());
    for (auto& m : summarize_metric(base, unit, values, opt)) set(m);
}

void MetricBuilder::add_summary(const std::string& base, const std::vector<double>& values,
                                const std::string& unit) {
    SummarizeOptions opt;
    opt.percentiles = false;
    for (auto& m : summarize_metric(base, unit, values, opt)) set(m);
}

}  // namespace bench::metrics
