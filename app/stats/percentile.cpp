#include "app/stats/percentile.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace bench {

int min_samples_for_percentile(double p) {
    const double tail = std::min(p, 100.0 - p);
    if (tail >= 50.0 || tail <= 0.0) return 1;   // median, min, max
    // The small epsilon keeps 100 / 0.1 (= 1000.0000000000001 in floating point) at 1000.
    return static_cast<int>(std::ceil(100.0 / tail - 1e-9));
}

double percentile_sorted(const std::vector<double>& sorted, double p) {
    if (sorted.empty()) throw std::invalid_argument("percentile of an empty sample");
    if (!(p >= 0.0 && p <= 100.0)) throw std::invalid_argument("percentile outside [0, 100]");
    const double h = static_cast<double>(sorted.size() - 1) * p / 100.0;
    const auto lo = static_cast<size_t>(std::floor(h));
    if (lo + 1 >= sorted.size()) return sorted.back();
    const double frac = h - static_cast<double>(lo);
    return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

double percentile_unchecked(std::vector<double> values, double p) {
    std::sort(values.begin(), values.end());
    return percentile_sorted(values, p);
}

std::string percentile_suffix(double p) {
    // Digits of p without the decimal point: 50 -> p50, 99.9 -> p999, 99.99 -> p9999.
    const long long scaled = std::llround(p * 100.0);   // two decimals are enough for names
    std::string name = "p";
    name += std::to_string(scaled / 100);
    const long long frac = scaled % 100;
    if (frac % 10 == 0 && frac != 0) {
        name += std::to_string(frac / 10);
    } else if (frac != 0) {
        if (frac < 10) name += '0';
        name += std::to_string(frac);
    }
    return name;
}

PercentileResult percentile(const std::vector<double>& values, double p) {
    if (!(p >= 0.0 && p <= 100.0)) throw std::invalid_argument("percentile outside [0, 100]");
    std::vector<double> finite;
    finite.reserve(values.size());
    for (double v : values)
        if (std::isfinite(v)) finite.push_back(v);
    PercentileResult r;
    const size_t dropped = values.size() - finite.size();
    const std::string dropped_note =
        dropped ? " (" + std::to_string(dropped) + " non-finite values ignored)" : "";
    if (finite.empty()) {
        r.note = "no samples" + dropped_note;
        return r;
    }
    const int need = min_samples_for_percentile(p);
    if (finite.size() < static_cast<size_t>(need)) {
        r.note = percentile_suffix(p) + " needs >= " + std::to_string(need) + " samples, have " +
                 std::to_string(finite.size()) + dropped_note;
        return r;
    }
    r.value = percentile_unchecked(std::move(finite), p);
    r.note = dropped_note.empty() ? "" : dropped_note.substr(1);
    return r;
}

}  // namespace bench
