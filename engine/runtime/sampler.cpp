#include "engine/runtime/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "engine/runtime/error.h"

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

struct Candidate {
    int32_t id;
    float logit;
};

// Descending logit, ascending id on ties: a total order, so results never depend on the
// sort algorithm.
bool before(const Candidate& a, const Candidate& b) {
    return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
}

}  // namespace

Sampler::Sampler(const SamplerParams& p) : params_(p), rng_(p.seed) {}

int32_t Sampler::sample(std::span<const float> logits) {
    if (logits.empty()) throw Error("sampler: empty logits");
    const float temperature = params_.temperature;
    if (!(temperature > 0.0f) || params_.top_k == 1) return argmax(logits);

    // Candidates: NaN and -inf can never be drawn. When some logits are +inf they hold all
    // the probability, shared equally.
    std::vector<Candidate> cands;
    cands.reserve(logits.size());
    bool any_pos_inf = false;
    for (size_t i = 0; i < logits.size(); ++i) {
        const float x = logits[i];
        if (std::isnan(x) || x == -std::numeric_limits<float>::infinity()) continue;
        if (x == std::numeric_limits<float>::infinity()) any_pos_inf = true;
        cands.push_back({static_cast<int32_t>(i), x});
    }
    if (cands.empty()) return argmax(logits);
    if (any_pos_inf) {
        std::erase_if(cands, [](const Candidate& c) { return !std::isinf(c.logit); });
        for (auto& c : cands) c.logit = 0.0f;
    }

    // Top-k: keep the k best (sorted); otherwise sort lazily below only as far as top-p needs.
    size_t n = cands.size();
    size_t sorted = 0;
    if (params_.top_k > 0 && static_cast<size_t>(params_.top_k) < n) {
        n = static_cast<size_t>(params_.top_k);
        std::partial_sort(cands.begin(), cands.begin() + static_cast<ptrdiff_t>(n), cands.end(), before);
        cands.resize(n);
        sorted = n;
    }

    // Softmax of logit / T over the kept candidates (max subtracted: no overflow).
    float max_logit = cands[0].logit;
    for (const auto& c : cands) max_logit = std::max(max_logit, c.logit);
    std::vector<double> prob(n);
    double total = 0.0;
    for (size_t i = 0; i < n; ++i) {
        prob[i] = std::exp(static_cast<double>(cands[i].logit - max_logit) / temperature);
        total += prob[i];
    }

    // Top-p: the smallest prefix of the descending order whose probability reaches p.
    const float top_p = params_.top_p;
    if (top_p < 1.0f) {
        const double target = std::max(0.0, static_cast<double>(top_p)) * total;
        // Sort a growing prefix: the nucleus is usually a small part of a large vocabulary.
        size_t keep = 0;
        double cum = 0.0;
        while (true) {
            if (keep == sorted && sorted < n) {
                const size_t grow = std::min(n, std::max<size_t>(64, sorted * 4));
                // Re-pair probabilities with candidates while sorting.
                std::vector<size_t> order(n);
                std::iota(order.begin(), order.end(), size_t{0});
                std::partial_sort(order.begin() + static_cast<ptrdiff_t>(sorted),
                                  order.begin() + static_cast<ptrdiff_t>(grow), order.end(),
                                  [&](size_t a, size_t b) { return before(cands[a], cands[b]); });
                std::vector<Candidate> c2(n);
                std::vector<double> p2(n);
                for (size_t i = 0; i < n; ++i) {
                    c2[i] = cands[order[i]];
                    p2[i] = prob[order[i]];
                }
                cands.swap(c2);
                prob.swap(p2);
                sorted = grow;
            }
            cum += prob[keep];
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
        cum += prob[i];
        if (r < cum) return cands[i].id;
    }
    return cands[n - 1].id;  // rounding left r at the very top
}

}  // namespace tern
