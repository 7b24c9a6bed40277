#pragma once
// Turns raw samples into named tbdb::Metric figures with the stats library: percentiles with
// the minimum-sample rule (a missing value says why), and mean/stddev/median of repeated rates.
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "db/run_record.h"

namespace bench::metrics {

class MetricBuilder {
public:
    explicit MetricBuilder(std::vector<tbdb::Metric>& out) : out_(out) {}

    // One figure (value may be missing, with a note).
    void add(const std::string& name, std::optional<double> value, const std::string& unit,
             int64_t n, const std::string& note = {});
    // base_p50, base_p90, ... for each requested percentile (suffix from the stats library).
    void add_percentiles(const std::string& base, const std::vector<double>& values,
                         std::initializer_list<double> ps, const std::string& unit);
    // base (mean), base_stddev, base_median, base_min, base_max, base_ci95_low/high.
    void add_summary(const std::string& base, const std::vector<double>& values,
                     const std::string& unit);
    // Replaces or adds.
    void set(const tbdb::Metric& m);
    bool has(const std::string& name) const;

private:
    std::vector<tbdb::Metric>& out_;
};

}  // namespace bench::metrics
