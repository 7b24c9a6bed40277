#include "app/stats/regression.h"

#include <cmath>

#include "app/stats/summary.h"
#include "app/stats/text_format.h"

namespace bench {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

Direction metric_direction(const std::string& name) {
    // Spread figures are neither faster nor slower.
    if (ends_with(name, "_stddev") || ends_with(name, "_mad")) return Direction::Unknown;
    // Fidelity: agreement with the base up, divergence and perplexity down.
    if (contains(name, "same_top")) return Direction::HigherIsBetter;
    for (const char* bad : {"ppl", "kld", "nll", "dp_rms"})
        if (contains(name, bad)) return Direction::LowerIsBetter;
    for (const char* good : {"tok_s", "goodput", "gops", "gb_s", "req_s", "efficiency", "roofline"})
        if (contains(name, good)) return Direction::HigherIsBetter;
    for (const char* bad : {"_ms", "_mb", "rss", "_us", "_ns"})
        if (contains(name, bad)) return Direction::LowerIsBetter;
    if (ends_with(name, "_s") || contains(name, "_s_")) return Direction::LowerIsBetter;
    return Direction::Unknown;
}

std::string regression_method_description(const RegressionOptions& opt) {
    return "robust z-score over the last " + std::to_string(opt.window) +
           " comparable runs: z = (x - median) / (1.4826 * MAD); |z| > " + format_number(opt.threshold) +
           " is flagged (a regression when on the slower/worse side); needs >= " +
           std::to_string(opt.min_history) + " earlier runs";
}

RegressionResult detect_regression(const std::vector<double>& history, double value, Direction direction,
                                   const RegressionOptions& opt) {
    RegressionResult r;
    r.method = regression_method_description(opt);
    std::vector<double> recent;
    const size_t window = static_cast<size_t>(std::max(opt.window, 1));
    for (size_t i = history.size() > window ? history.size() - window : 0; i < history.size(); ++i)
        if (std::isfinite(history[i])) recent.push_back(history[i]);
    r.n_history = static_cast<int>(recent.size());
    if (!std::isfinite(value)) {
        r.note = "the new value is missing";
        return r;
    }
    if (r.n_history < opt.min_history) {
        r.note = "needs >= " + std::to_string(opt.min_history) + " comparable earlier runs, have " +
                 std::to_string(r.n_history);
        return r;
    }
    const double med = median_of(recent);
    std::vector<double> dev;
    for (double h : recent) dev.push_back(std::fabs(h - med));
    const double mad = median_of(dev);
    r.median = med;
    r.mad = mad;
    if (mad == 0.0) {
        r.note = "history has no spread (MAD = 0): z undefined";
        return r;
    }
    const double z = (value - med) / (1.4826 * mad);
    r.z = z;
    r.outlier = std::fabs(z) > opt.threshold;
    if (r.outlier) {
        const bool worse = direction == Direction::HigherIsBetter  ? z < 0
                           : direction == Direction::LowerIsBetter ? z > 0
                                                                   : false;
        const bool better = direction != Direction::Unknown && !worse;
        r.regression = worse;
        r.improvement = better;
        if (direction == Direction::Unknown) r.note = "outside the band; direction unknown for this metric";
    }
    return r;
}

}  // namespace bench
