// Sampler: greedy is argmax, seeded sampling is reproducible, top-k / top-p keep the right
// candidates, frequencies follow softmax(logits / T), and NaN / inf logits are handled.
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <set>
#include <vector>

#include "engine/base/error.h"
#include "engine/runtime/sampler.h"

using namespace tern;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::vector<float> random_logits(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> d(0.0f, 3.0f);
    std::vector<float> v(n);
    for (auto& x : v) x = d(rng);
    return v;
}

int32_t reference_argmax(const std::vector<float>& v) {
    return static_cast<int32_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

SamplerParams params(float t, int32_t k, float p, uint64_t seed) {
    SamplerParams s;
    s.temperature = t;
    s.top_k = k;
    s.top_p = p;
    s.seed = seed;
    return s;
}

std::vector<int32_t> draw(const SamplerParams& p, const std::vector<float>& logits, int n) {
    Sampler s(p);
    std::vector<int32_t> out;
    for (int i = 0; i < n; ++i) out.push_back(s.sample(logits));
    return out;
}

}  // namespace

class TestSampler : public QObject {
    Q_OBJECT
private slots:
    void greedy_is_argmax() {
        for (uint32_t seed = 1; seed <= 20; ++seed) {
            const auto logits = random_logits(1000, seed);
            Sampler s(params(0.0f, 0, 1.0f, seed));
            QCOMPARE(s.sample(logits), reference_argmax(logits));
        }
        Sampler negative(params(-1.0f, 40, 0.9f, 1));
        const std::vector<float> ties = {1.0f, 3.0f, 2.0f, 3.0f};
        QCOMPARE(negative.sample(ties), 1);  // lowest id among equal maxima
    }
    void greedy_handles_nan_and_inf() {
        Sampler s(params(0.0f, 0, 1.0f, 1));
        QCOMPARE(s.sample(std::vector<float>{kNaN, 2.0f, kNaN, 1.0f}), 1);
        QCOMPARE(s.sample(std::vector<float>{1.0f, kInf, 3.0f, kInf}), 1);
        QCOMPARE(s.sample(std::vector<float>{-kInf, -kInf, -1.0f}), 2);
        QCOMPARE(s.sample(std::vector<float>{kNaN, kNaN}), 0);
        QVERIFY_THROWS_EXCEPTION(Error, s.sample(std::vector<float>{}));
    }
    void same_seed_same_sequence() {
        const auto logits = random_logits(5000, 7);
        const auto p = params(0.8f, 50, 0.95f, 1234);
        const auto a = draw(p, logits, 300);
        const auto b = draw(p, logits, 300);
        QCOMPARE(a, b);
        const auto c = draw(params(0.8f, 50, 0.95f, 4321), logits, 300);
        QVERIFY(a != c);
        QVERIFY(std::set<int32_t>(a.begin(), a.end()).size() > 1);  // it really samples
    }
    void top_k_one_is_greedy() {
        for (uint32_t seed = 1; seed <= 10; ++seed) {
            const auto logits = random_logits(3000, seed);
            for (int32_t id : draw(params(1.5f, 1, 1.0f, seed), logits, 20))
                QCOMPARE(id, reference_argmax(logits));
        }
    }
    void tiny_top_p_is_argmax() {
        const auto logits = random_logits(3000, 3);
        for (int32_t id : draw(params(2.0f, 0, 1e-6f, 99), logits, 50)) QCOMPARE(id, reference_argmax(logits));
        for (int32_t id : draw(params(2.0f, 0, 0.0f, 99), logits, 50)) QCOMPARE(id, reference_argmax(logits));
    }
    void top_k_keeps_the_k_best() {
        const std::vector<float> logits = {0.0f, 5.0f, 1.0f, 4.9f, 2.0f, 4.8f};
        const auto ids = draw(params(100.0f, 3, 1.0f, 5), logits, 2000);
        const std::set<int32_t> seen(ids.begin(), ids.end());
        QCOMPARE(seen, (std::set<int32_t>{1, 3, 5}));
    }
    void top_p_keeps_the_smallest_nucleus() {
        // Probabilities 0.4, 0.3, 0.2, 0.1: p = 0.5 needs the first two (0.4 < 0.5 <= 0.7).
        const std::vector<float> logits = {std::log(0.2f), std::log(0.4f), std::log(0.1f), std::log(0.3f)};
        const auto ids = draw(params(1.0f, 0, 0.5f, 11), logits, 2000);
        QCOMPARE(std::set<int32_t>(ids.begin(), ids.end()), (std::set<int32_t>{1, 3}));
        // Renormalised inside the nucleus: 0.4 / 0.7 for id 1.
        const double share = static_cast<double>(std::count(ids.begin(), ids.end(), 1)) / ids.size();
        QVERIFY2(std::abs(share - 4.0 / 7.0) < 0.04, qPrintable(QString::number(share)));
    }
    void top_p_on_a_large_vocabulary_matches_a_full_sort() {
        const auto logits = random_logits(128256, 17);
        const float temperature = 0.7f, top_p = 0.9f;
        // Brute force nucleus.
        std::vector<int32_t> order(logits.size());
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
            return logits[static_cast<size_t>(a)] > logits[static_cast<size_t>(b)] ||
                   (logits[static_cast<size_t>(a)] == logits[static_cast<size_t>(b)] && a < b);
        });
        std::vector<double> w(order.size());
        double total = 0.0;
        for (size_t i = 0; i < order.size(); ++i) {
            w[i] = std::exp((logits[static_cast<size_t>(order[i])] - logits[static_cast<size_t>(order[0])]) / temperature);
            total += w[i];
        }
        std::set<int32_t> nucleus;
        double cum = 0.0;
        for (size_t i = 0; i < order.size() && cum < top_p * total; ++i) {
            cum += w[i];
            nucleus.insert(order[i]);
        }
        QVERIFY(nucleus.size() > 64);  // exercises the growing partial sort
        for (int32_t id : draw(params(temperature, 0, top_p, 23), logits, 100)) QVERIFY(nucleus.count(id));
    }
    void frequencies_follow_softmax() {
        const std::vector<double> probs = {0.5, 0.3, 0.15, 0.05};
        std::vector<float> logits;
        for (double p : probs) logits.push_back(static_cast<float>(std::log(p)));
        const int n = 40000;
        const auto ids = draw(params(1.0f, 0, 1.0f, 2024), logits, n);
        for (size_t i = 0; i < probs.size(); ++i) {
            const double f = static_cast<double>(std::count(ids.begin(), ids.end(), static_cast<int32_t>(i))) / n;
            QVERIFY2(std::abs(f - probs[i]) < 0.015, qPrintable(QString("id %1: %2").arg(i).arg(f)));
        }
        // Temperature 0.5 squares the odds: 0.5^2 : 0.3^2 : ... normalised.
        const auto cold = draw(params(0.5f, 0, 1.0f, 2025), logits, n);
        double z = 0.0;
        for (double p : probs) z += p * p;
        const double f0 = static_cast<double>(std::count(cold.begin(), cold.end(), 0)) / n;
        QVERIFY2(std::abs(f0 - 0.25 / z) < 0.015, qPrintable(QString::number(f0)));
    }
    void sampling_handles_nan_and_inf() {
        for (int32_t id : draw(params(1.0f, 0, 1.0f, 3), {kNaN, 1.0f, kNaN, -kInf}, 100)) QCOMPARE(id, 1);
        const auto ids = draw(params(1.0f, 0, 0.9f, 3), {0.0f, kInf, 5.0f, kInf}, 400);
        QCOMPARE(std::set<int32_t>(ids.begin(), ids.end()), (std::set<int32_t>{1, 3}));
        for (int32_t id : draw(params(1.0f, 5, 1.0f, 3), {kNaN, kNaN}, 10)) QCOMPARE(id, 0);
        // Extreme temperatures stay finite.
        const auto logits = random_logits(100, 5);
        for (int32_t id : draw(params(1e-30f, 0, 1.0f, 3), logits, 20)) QCOMPARE(id, reference_argmax(logits));
        for (int32_t id : draw(params(1e30f, 0, 1.0f, 3), logits, 20)) QVERIFY(id >= 0 && id < 100);
    }

    void logit_bias_forbids_tokens_greedy_and_sampled() {
        const auto logits = random_logits(500, 21);
        const int32_t best = reference_argmax(logits);
        SamplerParams g = params(0.0f, 0, 1.0f, 1);
        g.logit_bias = {{best, -kInf}};
        Sampler greedy(g);
        const int32_t second = greedy.sample(logits);
        QVERIFY(second != best);
        auto without = logits;
        without[static_cast<size_t>(best)] = -kInf;
        QCOMPARE(second, reference_argmax(without));

        // Sampling: forbid the ten best; none of them is ever drawn.
        std::vector<int32_t> order(logits.size());
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return logits[a] > logits[b]; });
        SamplerParams s = params(1.5f, 0, 1.0f, 7);
        for (int i = 0; i < 10; ++i) s.logit_bias.push_back({order[i], -kInf});
        const std::set<int32_t> forbidden(order.begin(), order.begin() + 10);
        for (int32_t id : draw(s, logits, 2000)) QVERIFY(!forbidden.count(id));
        s.top_k = 5;  // the top-k is taken after the bias: five allowed tokens remain
        const auto drawn = draw(s, logits, 500);
        const std::set<int32_t> seen(drawn.begin(), drawn.end());
        QVERIFY(seen.size() <= 5);
        for (int32_t id : seen) QVERIFY(!forbidden.count(id));
    }
    void logit_bias_positive_and_out_of_range() {
        const std::vector<float> logits = {1.0f, 2.0f, 3.0f};
        SamplerParams p = params(0.0f, 0, 1.0f, 1);
        p.logit_bias = {{0, 5.0f}, {7, 100.0f}, {-1, 100.0f}};  // ids 7 and -1 do not exist: ignored
        QCOMPARE(Sampler(p).sample(logits), 0);
    }
};

QTEST_APPLESS_MAIN(TestSampler)
#include "test_sampler.moc"
