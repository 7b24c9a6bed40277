#pragma once
// Descriptive statistics of one sample (docs/ARCHITECTURE.md section 4): n, mean, median,
// stddev, min, max and a 95% confidence interval of the mean.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bench {

struct Summary {
    int64_t n = 0;                      // finite values used
    std::optional<double> mean, median, stddev, min, max;
    // 95% confidence interval of the MEAN: mean +- t(0.975, n-1) * stddev / sqrt(n), Student's t
    // quantile from Boost.Math. Needs n >= 2 (and so does stddev, the sample one with n - 1).
    std::optional<double> ci95_low, ci95_high;
    std::string note;                   // why something is missing, or what was ignored
};

// Non-finite values (NaN, inf) are not measurements: they are dropped and the note says so.
Summary summarize(const std::vector<double>& values);

// Student's t quantile for a two-sided interval of the given confidence (0.95 -> t(0.975, df)).
double student_t_critical(double confidence, double degrees_of_freedom);

// Median of a non-empty sample (throws std::invalid_argument when empty).
double median_of(std::vector<double> values);

}  // namespace bench
