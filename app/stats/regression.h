#pragma once
// Regression flag over history (docs/ARCHITECTURE.md section 4): is a new result outside the band of the
// recent comparable runs (same host, model, workload, implementation, config: choosing them is
// the caller's job)?
//
// Method: robust z-score over the last `window` comparable results,
//   z = (x - median) / (1.4826 * MAD),   MAD = median(|h_i - median|),
// (1.4826 * MAD estimates the standard deviation for normal data while ignoring outliers), and
// |z| > 3.5 flags the result (Iglewicz and Hoaglin's cut-off). Direction-aware: a flagged value
// on the bad side (lower tok/s, higher latency) is a regression, on the good side an
// improvement. Needs >= min_history results; with MAD = 0 (all history identical) z is missing.
#include <optional>
#include <string>
#include <vector>

namespace bench {

enum class Direction { HigherIsBetter, LowerIsBetter, Unknown };

// From the metric's name: throughput-like names (tok_s, goodput, gops, gb_s, req_s, efficiency)
// are higher-is-better; times and memory (_ms, _s, _mb, rss) lower-is-better; else Unknown.
Direction metric_direction(const std::string& metric_name);

struct RegressionOptions {
    int window = 10;           // last N comparable results
    int min_history = 5;
    double threshold = 3.5;
};

struct RegressionResult {
    std::optional<double> z;         // robust z-score of the new value
    std::optional<double> median, mad;
    int n_history = 0;               // results used
    bool outlier = false;            // |z| > threshold
    bool regression = false;         // outlier on the bad side
    bool improvement = false;        // outlier on the good side
    std::string method;              // one sentence for the UI / reports
    std::string note;                // why no verdict (too little history, MAD = 0, ...)
};

// history: oldest first (only the last `window` are used); value: the new result.
RegressionResult detect_regression(const std::vector<double>& history, double value, Direction direction,
                                   const RegressionOptions& opt = {});

// The method sentence alone (for labels).
std::string regression_method_description(const RegressionOptions& opt = {});

}  // namespace bench
