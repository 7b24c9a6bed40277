#pragma once
// Comparing two samples (docs/ARCHITECTURE.md section 4): ratio of medians with a bootstrap confidence
// interval, and a two-sided Mann-Whitney U test. A difference is called significant only when
// the U test says so.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bench {

// ratio = median(current) / median(baseline).
// 95% CI: seeded percentile bootstrap. Each of `resamples` rounds draws n values with
// replacement from each sample independently (std::mt19937_64 seeded with `seed`, indices by
// rejection sampling so the draw is identical on every platform), takes the ratio of the two
// medians, and the interval is the 2.5th and 97.5th percentiles (linear interpolation) of those
// ratios. Same inputs and seed -> same interval. Needs >= 2 finite values per side and a
// non-zero baseline median; otherwise the CI (or the ratio) is missing and `note` says why.
struct RatioResult {
    std::optional<double> ratio, ci95_low, ci95_high;
    int64_t n_baseline = 0, n_current = 0;
    std::string note;
};
struct BootstrapOptions {
    int resamples = 2000;
    uint64_t seed = 0x7465726e62656e63ULL;   // "ternbenc"
    double confidence = 0.95;
};
RatioResult ratio_of_medians(const std::vector<double>& baseline, const std::vector<double>& current,
                             const BootstrapOptions& opt = {});

// Two-sided Mann-Whitney U test (Wilcoxon rank-sum), alpha 0.05.
// U1 = R1 - n1 (n1 + 1) / 2 with R1 the rank sum of sample 1 (mid-ranks for ties); U2 = n1 n2 - U1.
// p value: exact null distribution of U (counted by dynamic programming) when there are no ties
// and n1 + n2 <= 40; otherwise the normal approximation with tie correction,
// sigma^2 = n1 n2 / 12 * ((n + 1) - sum(t^3 - t) / (n (n - 1))), and continuity correction,
// z = (|U1 - n1 n2 / 2| - 0.5) / sigma, p = 2 (1 - Phi(z)) capped at 1.
// Either side with fewer than 9 values gives a warning: the test has little power there
// (with 3 vs 3 the smallest possible p is 0.1, so nothing can be significant).
struct MannWhitneyResult {
    double u1 = 0, u2 = 0;        // U of the first (baseline) and of the second sample
    double u = 0;                 // min(U1, U2), the statistic tables list
    std::optional<double> p;      // two-sided; empty when a side has no values
    bool exact = false;           // exact distribution (else normal approximation)
    bool significant = false;     // p < alpha
    double alpha = 0.05;
    int64_t n1 = 0, n2 = 0;
    std::string warning;          // "fewer than 9 samples ..." or why p is missing
};
MannWhitneyResult mann_whitney_u(const std::vector<double>& sample1, const std::vector<double>& sample2,
                                 double alpha = 0.05);

// Number of values per side under which mann_whitney_u warns.
constexpr int kMannWhitneyMinSamples = 9;

}  // namespace bench
