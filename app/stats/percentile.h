#pragma once
// Percentiles by linear interpolation between order statistics (numpy's default, "type 7"):
// for sorted x[0..n-1] and p in [0, 100], h = (n - 1) * p / 100, result = x[floor(h)] +
// (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)]).
//
// Minimum-sample rule (docs/ARCHITECTURE.md section 4: missing, not guessed): a tail
// percentile only means something when the sample reaches into that tail, i.e. when at least
// one observation is expected beyond it. With tail = min(p, 100 - p) percent, it needs
// n >= ceil(100 / tail) samples: p90 >= 10, p95 >= 20, p99 >= 100, p99.9 >= 1000, p10 >= 10.
// p50 (the median) and p0/p100 (min/max) need a single sample. Below that the value is missing
// and the note says how many samples it needs.
#include <optional>
#include <string>
#include <vector>

namespace bench {

struct PercentileResult {
    std::optional<double> value;   // empty: not enough samples (or no samples)
    std::string note;              // why it is missing, e.g. "p99 needs >= 100 samples, have 12"
};

// Samples a percentile needs under the rule above (p in [0, 100]).
int min_samples_for_percentile(double p);

// Plain interpolated percentile of any non-empty sample, without the minimum-sample rule
// (used for bootstrap intervals and medians). values need not be sorted. Throws
// std::invalid_argument on an empty sample or p outside [0, 100].
double percentile_unchecked(std::vector<double> values, double p);
// Same on an already sorted sample (no copy).
double percentile_sorted(const std::vector<double>& sorted, double p);

// The percentile with the minimum-sample rule applied. Non-finite values are ignored (and
// counted in the note).
PercentileResult percentile(const std::vector<double>& values, double p);

// "p50", "p99", "p999" (p99.9), "p99.99"-> "p9999": the suffix used in metric names.
std::string percentile_suffix(double p);

}  // namespace bench
