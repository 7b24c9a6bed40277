#include "app/workloads/kernel_shares.h"

#include <optional>

#include "app/stats/text_format.h"

namespace bench {

void add_roof_share(metrics::MetricBuilder& mb, const std::string& name, double measured, double roof,
                    const std::string& unit, const std::string& what, const std::string& roof_name, int64_t n) {
    const double pct = 100.0 * measured / roof;
    if (pct <= 100.0) {
        mb.add(name, pct, "%", n, what + " / measured " + roof_name);
        return;
    }
    mb.add(name, std::nullopt, "%", n,
           "not a share: " + format_number(measured) + " " + unit + " measured above the " + roof_name + " of " +
               format_number(roof) + " " + unit + " (a disturbed roof reading)");
}

void add_roof_shares(metrics::MetricBuilder& mb, const std::string& key, const tern::KernelBenchResult& r,
                     double read_gbs, const std::map<std::string, double>& peaks) {
    if (read_gbs > 0)
        add_roof_share(mb, "roofline_pct_" + key, r.weight_gbs, read_gbs, "GB/s", "weight GB/s", "read bandwidth",
                       r.repetitions);
    const auto peak = peaks.find(r.family);
    if (r.m > 1 && peak != peaks.end() && peak->second > 0)
        add_roof_share(mb, "compute_pct_" + key, r.gops, peak->second, "GOPS", "GOPS", "peak of " + r.family,
                       r.repetitions);
}

}  // namespace bench
