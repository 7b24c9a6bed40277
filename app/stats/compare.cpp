#include "app/stats/compare.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <utility>

#include "app/stats/percentile.h"

namespace bench {
namespace {

std::vector<double> finite_only(const std::vector<double>& v) {
    std::vector<double> out;
    out.reserve(v.size());
    for (double x : v)
        if (std::isfinite(x)) out.push_back(x);
    return out;
}

// Uniform index in [0, n) by rejection: std::uniform_int_distribution differs between standard
// libraries, this does not, so a seeded bootstrap gives the same interval everywhere.
size_t draw_index(std::mt19937_64& rng, size_t n) {
    const uint64_t range = static_cast<uint64_t>(n);
    const uint64_t limit = UINT64_MAX - (UINT64_MAX % range);
    uint64_t r;
    do r = rng();
    while (r >= limit);
    return static_cast<size_t>(r % range);
}

double resampled_median(std::mt19937_64& rng, const std::vector<double>& x, std::vector<double>& buf) {
    buf.resize(x.size());
    for (auto& b : buf) b = x[draw_index(rng, x.size())];
    std::sort(buf.begin(), buf.end());
    return percentile_sorted(buf, 50.0);
}

// Exact two-sided p for U without ties: counts of rank arrangements giving each U value.
// freq[n1][u] over n1 values among n1 + n2 by the recurrence f(m, n, u) = f(m-1, n, u-n) + f(m, n-1, u).
double exact_two_sided_p(int n1, int n2, double u_min) {
    // table[i][j] is the distribution vector for sizes (i, j); built for all i <= n1, j <= n2.
    std::vector<std::vector<std::vector<double>>> f(n1 + 1, std::vector<std::vector<double>>(n2 + 1));
    for (int i = 0; i <= n1; ++i) {
        for (int j = 0; j <= n2; ++j) {
            auto& cur = f[i][j];
            cur.assign(static_cast<size_t>(i * j + 1), 0.0);
            if (i == 0 || j == 0) {
                cur[0] = 1.0;
                continue;
            }
            // The largest of the i + j values belongs to sample 1 (adds j to U) or to sample 2.
            const auto& a = f[i - 1][j];
            const auto& b = f[i][j - 1];
            for (size_t u = 0; u < a.size(); ++u) cur[u + static_cast<size_t>(j)] += a[u];
            for (size_t u = 0; u < b.size(); ++u) cur[u] += b[u];
        }
    }
    const auto& dist = f[n1][n2];
    double total = 0, tail = 0;
    const auto limit = static_cast<size_t>(std::floor(u_min + 1e-9));
    for (size_t u = 0; u < dist.size(); ++u) {
        total += dist[u];
        if (u <= limit) tail += dist[u];
    }
    return std::min(1.0, 2.0 * tail / total);
}

}  // namespace

RatioResult ratio_of_medians(const std::vector<double>& baseline, const std::vector<double>& current,
                             const BootstrapOptions& opt) {
    RatioResult r;
    const auto b = finite_only(baseline);
    const auto c = finite_only(current);
    r.n_baseline = static_cast<int64_t>(b.size());
    r.n_current = static_cast<int64_t>(c.size());
    if (b.empty() || c.empty()) {
        r.note = "no samples on one side";
        return r;
    }
    const double mb = percentile_unchecked(b, 50.0);
    const double mc = percentile_unchecked(c, 50.0);
    if (mb == 0.0) {
        r.note = "baseline median is 0: ratio undefined";
        return r;
    }
    r.ratio = mc / mb;
    if (b.size() < 2 || c.size() < 2) {
        r.note = "95% CI needs >= 2 samples per side";
        return r;
    }
    std::mt19937_64 rng(opt.seed);
    std::vector<double> ratios, buf;
    ratios.reserve(static_cast<size_t>(std::max(opt.resamples, 1)));
    for (int i = 0; i < opt.resamples; ++i) {
        const double rb = resampled_median(rng, b, buf);
        const double rc = resampled_median(rng, c, buf);
        if (rb != 0.0) ratios.push_back(rc / rb);
    }
    if (ratios.empty()) {
        r.note = "bootstrap medians of the baseline were all 0";
        return r;
    }
    std::sort(ratios.begin(), ratios.end());
    const double tail = (1.0 - opt.confidence) / 2.0 * 100.0;
    r.ci95_low = percentile_sorted(ratios, tail);
    r.ci95_high = percentile_sorted(ratios, 100.0 - tail);
    return r;
}

MannWhitneyResult mann_whitney_u(const std::vector<double>& sample1, const std::vector<double>& sample2,
                                 double alpha) {
    MannWhitneyResult r;
    r.alpha = alpha;
    const auto x = finite_only(sample1);
    const auto y = finite_only(sample2);
    r.n1 = static_cast<int64_t>(x.size());
    r.n2 = static_cast<int64_t>(y.size());
    if (x.empty() || y.empty()) {
        r.warning = "no samples on one side: no test";
        return r;
    }
    // Pool, sort, assign mid-ranks to ties and collect the tie sizes.
    std::vector<std::pair<double, int>> pooled;
    for (double v : x) pooled.emplace_back(v, 0);
    for (double v : y) pooled.emplace_back(v, 1);
    std::sort(pooled.begin(), pooled.end());
    const size_t n = pooled.size();
    double rank_sum1 = 0, tie_term = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && pooled[j].first == pooled[i].first) ++j;
        const double mid_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
        for (size_t k = i; k < j; ++k)
            if (pooled[k].second == 0) rank_sum1 += mid_rank;
        const double t = static_cast<double>(j - i);
        tie_term += t * t * t - t;
        i = j;
    }
    const double n1 = static_cast<double>(x.size()), n2 = static_cast<double>(y.size());
    r.u1 = rank_sum1 - n1 * (n1 + 1.0) / 2.0;
    r.u2 = n1 * n2 - r.u1;
    r.u = std::min(r.u1, r.u2);
    const bool ties = tie_term > 0;
    if (!ties && n <= 40) {
        r.exact = true;
        r.p = exact_two_sided_p(static_cast<int>(x.size()), static_cast<int>(y.size()), r.u);
    } else {
        const double nn = static_cast<double>(n);
        const double var = n1 * n2 / 12.0 * ((nn + 1.0) - tie_term / (nn * (nn - 1.0)));
        if (var <= 0) {
            r.p = 1.0;   // every value equal: no evidence of any difference
        } else {
            const double z = (std::fabs(r.u1 - n1 * n2 / 2.0) - 0.5) / std::sqrt(var);
            r.p = std::min(1.0, std::erfc(z / std::sqrt(2.0)));
        }
    }
    r.significant = *r.p < alpha;
    if (x.size() < kMannWhitneyMinSamples || y.size() < kMannWhitneyMinSamples)
        r.warning = "fewer than " + std::to_string(kMannWhitneyMinSamples) +
                    " samples on a side (" + std::to_string(x.size()) + " vs " +
                    std::to_string(y.size()) + "): the test has little power";
    return r;
}

}  // namespace bench
