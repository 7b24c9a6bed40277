#pragma once
// The `kernel` workload's shares of the roofs: a kernel's weight GB/s against the measured read
// bandwidth (roofline_pct_*) and its GOPS against the measured peak of the instruction family it
// multiplies with (compute_pct_*, batched shapes only).
#include <map>
#include <string>

#include "app/metrics/metric_builder.h"
#include "engine/bench/kernel_bench.h"

namespace bench {

// Adds `name` = 100 * measured / roof, n samples, noted "<what> / measured <roof_name>". A share
// above 100 % means a disturbed roof reading: it is stored as missing, with both figures in the
// note, never clamped.
void add_roof_share(metrics::MetricBuilder& mb, const std::string& name, double measured, double roof,
                    const std::string& unit, const std::string& what, const std::string& roof_name, int64_t n);

// Adds roofline_pct_<key> (when read_gbs > 0) and compute_pct_<key> (m > 1 and a peak for
// r.family in `peaks`), each by add_roof_share.
void add_roof_shares(metrics::MetricBuilder& mb, const std::string& key, const tern::KernelBenchResult& r,
                     double read_gbs, const std::map<std::string, double>& peaks);

}  // namespace bench
