#include "app/stats/summarize_metric.h"

#include "app/stats/percentile.h"
#include "app/stats/summary.h"

namespace bench {

tbdb::Metric make_metric(const std::string& name, std::optional<double> value, const std::string& unit,
                         int64_t n, const std::string& note) {
    tbdb::Metric m;
    m.name = name;
    m.value = value;
    m.unit = unit;
    m.n = n;
    m.note = note;
    return m;
}

std::vector<tbdb::Metric> summarize_metric(const std::string& name, const std::string& unit,
                                           const std::vector<double>& values, const SummarizeOptions& opt) {
    std::vector<tbdb::Metric> out;
    const Summary s = summarize(values);
    // A note only where the figure is missing, so present figures stay uncluttered.
    auto add = [&](const std::string& suffix, const std::optional<double>& v) {
        out.push_back(make_metric(name + suffix, v, unit, s.n, v ? std::string() : s.note));
    };
    if (opt.mean) add("", s.mean);
    if (opt.spread) {
        add("_median", s.median);
        add("_stddev", s.stddev);
        add("_min", s.min);
        add("_max", s.max);
        add("_ci95_low", s.ci95_low);
        add("_ci95_high", s.ci95_high);
    }
    if (opt.percentiles) {
        for (double p : opt.percentile_list) {
            const PercentileResult pr = percentile(values, p);
            out.push_back(make_metric(name + "_" + percentile_suffix(p), pr.value, unit, s.n, pr.note));
        }
    }
    return out;
}

}  // namespace bench
