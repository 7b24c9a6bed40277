#include "app/stats/summary.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include <boost/math/distributions/students_t.hpp>

#include "app/stats/percentile.h"

namespace bench {

double student_t_critical(double confidence, double degrees_of_freedom) {
    boost::math::students_t dist(degrees_of_freedom);
    return boost::math::quantile(dist, 0.5 + confidence / 2.0);
}

double median_of(std::vector<double> values) {
    if (values.empty()) throw std::invalid_argument("median of an empty sample");
    return percentile_unchecked(std::move(values), 50.0);
}

Summary summarize(const std::vector<double>& values) {
    Summary s;
    std::vector<double> x;
    x.reserve(values.size());
    for (double v : values)
        if (std::isfinite(v)) x.push_back(v);
    const size_t dropped = values.size() - x.size();
    if (dropped) s.note = std::to_string(dropped) + " non-finite values ignored";
    s.n = static_cast<int64_t>(x.size());
    if (x.empty()) {
        s.note = s.note.empty() ? "no samples" : s.note;
        return s;
    }
    std::sort(x.begin(), x.end());
    const double n = static_cast<double>(x.size());
    // Two-pass mean and variance: stable enough for benchmark figures and easy to check.
    const double mean = std::accumulate(x.begin(), x.end(), 0.0) / n;
    s.mean = mean;
    s.median = percentile_sorted(x, 50.0);
    s.min = x.front();
    s.max = x.back();
    if (x.size() < 2) {
        const std::string why = "stddev and 95% CI need >= 2 samples";
        s.note = s.note.empty() ? why : s.note + "; " + why;
        return s;
    }
    double ss = 0.0;
    for (double v : x) ss += (v - mean) * (v - mean);
    const double sd = std::sqrt(ss / (n - 1.0));
    s.stddev = sd;
    const double half = student_t_critical(0.95, n - 1.0) * sd / std::sqrt(n);
    s.ci95_low = mean - half;
    s.ci95_high = mean + half;
    return s;
}

}  // namespace bench
