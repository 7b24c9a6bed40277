#include "engine/runtime/sampler.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "engine/base/error.h"

namespace tern {
namespace {

// Highest finite-or-+inf logit, lowest id on ties; NaN never wins. All NaN -> 0.
int32_t argmax(std::span<const float> logits) {
    int32_t best = -1;
    for (size_t i = 0; i < logits.size(); ++i) {
        const float x = logits[i];
        if (std::isnan(x)) continue;
        if (best < 0 || x > logits[static_cast<size_t>(best)]) best = static_cast<int32_t>(i);
    }
    return best < 0 ? 0 : best;
}

// Uniform double in [0, 1) from the engine's raw bits (std::uniform_real_distribution is
// implementation-defined, which would make "same seed, same tokens" library-dependent).
double unit_interval(std::mt19937_64& rng) {
    return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

using Candidate = Sampler::Candidate;

// Descending logit, ascending id on ties: a total order, so results never depend on the
// sort algorithm.
bool before(const Candidate& a, const Candidate& b) {
    return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
}

// Puts the best `end` candidates, in order, into [0, end) given [0, begin) already holds
// the best `begin` in order.
void sort_prefix(std::vector<Candidate>& c, size_t begin, size_t end) {
    const auto first = c.begin() + static_cast<ptrdiff_t>(begin);
    const auto last = c.begin() + static_cast<ptrdiff_t>(end);
    if (last != c.end()) std::nth_element(first, last, c.end(), before);
    std::sort(first, last, before);
}

// Sorts, to the front, the candidates that can be in the top-p nucleus, without sorting the
// whole vocabulary: candidates are bucketed by (max - logit) / T in steps of 1/4, the bucket
// where the cumulative mass reaches `target` bounds the nucleus, and only candidates in that
// bucket or better are sorted. Returns how many are sorted.
size_t sort_likely_nucleus(std::vector<Candidate>& c, float max_logit, float temperature, double target) {
    constexpr int kBuckets = 256;
    // A multiply, not a divide per candidate: bucket edges need only be monotonic in the
    // logit, since the walk below grows the sorted prefix if the bound ever falls short.
    const float per_bucket = 4.0f / temperature;
    const auto bucket = [&](const Candidate& x) {
        const float d = (max_logit - x.logit) * per_bucket;  // >= 0, may be +inf
        return d >= kBuckets - 1 ? kBuckets - 1 : static_cast<int>(d);
    };
    std::array<double, kBuckets> mass{};
    for (const auto& x : c) mass[static_cast<size_t>(bucket(x))] += x.weight;
    int last = kBuckets - 1;
    double cum = 0.0;
    for (int b = 0; b < kBuckets; ++b) {
        cum += mass[static_cast<size_t>(b)];
        if (cum >= target) {
            last = b;
            break;
        }
    }
    const auto mid = std::partition(c.begin(), c.end(), [&](const Candidate& x) { return bucket(x) <= last; });
    std::sort(c.begin(), mid, before);
    return static_cast<size_t>(mid - c.begin());
}

}  // namespace

Sampler::Sampler(const SamplerParams& p) : params_(p), rng_(p.seed) {}

int32_t Sampler::sample(std::span<const float> logits) {
    if (logits.empty()) throw Error("sampler: empty logits");
    if (!params_.logit_bias.empty()) {
        biased_.assign(logits.begin(), logits.end());
        for (const auto& [id, bias] : params_.logit_bias)
            if (id >= 0 && static_cast<size_t>(id) < biased_.size()) biased_[static_cast<size_t>(id)] += bias;
        logits = biased_;
    }
    const float temperature = params_.temperature;
    if (!(temperature > 0.0f) || params_.top_k == 1) return argmax(logits);

    // Candidates: NaN and -inf can never be drawn. When some logits are +inf they hold all
    // the probability, shared equally.
    constexpr float inf = std::numeric_limits<float>::infinity();
    // Reused across draws: a fresh vocabulary-sized vector is a fresh mmap whose pages the
    // kernel zeroes on every draw (~12 % of a 32k-vocabulary draw).
    std::vector<Candidate>& cands = candidates_;
    cands.clear();
    size_t sorted = 0;  // cands[0, sorted) holds the best candidates in order
    const auto usable = [](float x) { return !std::isnan(x) && x != -inf; };
    const size_t k = params_.top_k > 0 ? static_cast<size_t>(params_.top_k) : 0;
    if (k > 0 && k <= 1024 && k < logits.size()) {
        // Small top-k: one pass with a bounded heap (worst candidate on top); most logits
        // are rejected by a single comparison.
        cands.reserve(k + 1);
        for (size_t i = 0; i < logits.size(); ++i) {
            const float x = logits[i];
            if (!usable(x)) continue;
            const Candidate c{static_cast<int32_t>(i), x, 0.0f};
            if (cands.size() < k) {
                cands.push_back(c);
                std::push_heap(cands.begin(), cands.end(), before);
            } else if (before(c, cands.front())) {
                std::pop_heap(cands.begin(), cands.end(), before);
                cands.back() = c;
                std::push_heap(cands.begin(), cands.end(), before);
            }
        }
        std::sort_heap(cands.begin(), cands.end(), before);
        sorted = cands.size();
    } else {
        cands.reserve(logits.size());
        for (size_t i = 0; i < logits.size(); ++i)
            if (usable(logits[i])) cands.push_back({static_cast<int32_t>(i), logits[i], 0.0f});
        if (k > 0 && k < cands.size()) {
            sort_prefix(cands, 0, k);
            cands.resize(k);
            sorted = k;
        }
    }
    if (cands.empty()) return argmax(logits);
    if (std::any_of(cands.begin(), cands.end(), [](const Candidate& c) { return c.logit == inf; })) {
        std::erase_if(cands, [](const Candidate& c) { return c.logit != inf; });
        for (auto& c : cands) c.logit = 0.0f;  // equal shares, order (by id) kept
    }
    size_t n = cands.size();

    // Softmax of logit / T over the kept candidates (max subtracted: no overflow; the sum in
    // double so a large vocabulary loses nothing to rounding).
    float max_logit = cands[0].logit;
    for (const auto& c : cands) max_logit = std::max(max_logit, c.logit);
    double total = 0.0;
    for (auto& c : cands) {
        c.weight = std::exp((c.logit - max_logit) / temperature);
        total += c.weight;
    }

    // Top-p: the smallest prefix of the descending order whose probability reaches p.
    const float top_p = params_.top_p;
    if (top_p < 1.0f) {
        const double target = std::max(0.0, static_cast<double>(top_p)) * total;
        if (sorted == 0) sorted = sort_likely_nucleus(cands, max_logit, temperature, target);
        // Walk the sorted prefix; should rounding leave it short, sort a growing prefix more.
        size_t keep = 0;
        double cum = 0.0;
        while (true) {
            if (keep == sorted) {
                const size_t grow = std::min(n, std::max<size_t>(64, sorted * 4));
                sort_prefix(cands, sorted, grow);
                sorted = grow;
            }
            cum += cands[keep].weight;
            ++keep;
            if (cum >= target || keep == n) break;
        }
        n = keep;
        total = cum;
    }

    // Draw: walk the cumulative mass in candidate order.
    const double r = unit_interval(rng_) * total;
    double cum = 0.0;
    for (size_t i = 0; i < n; ++i) {
        cum += cands[i].weight;
        if (r < cum) return cands[i].id;
    }
    return cands[n - 1].id;  // rounding left r at the very top
}

}  // namespace tern
