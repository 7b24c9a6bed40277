// The FFN gate: its vectorizable e^x against the exact one, SiLU / ReLU^2 at the edges, and
// every kernel set's SiLU gate bit for bit against the scalar one.
#include <QtTest>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "engine/kernels/kernel_set.h"
#include "engine/model/gate_activation.h"
#include "kernel_test_sets.h"

using namespace tern;

namespace {

// Distance in units in the last place between two finite positive floats.
int64_t ulps(float a, float b) {
    int32_t ia, ib;
    std::memcpy(&ia, &a, 4);
    std::memcpy(&ib, &b, 4);
    return std::llabs(int64_t(ia) - int64_t(ib));
}

}  // namespace

class TestGateActivation : public QObject {
    Q_OBJECT
private slots:
    void expWithinTwoUlp() {
        int64_t worst = 0;
        float worst_x = 0;
        for (int i = 0; i <= 400000; ++i) {
            const float x = -87.0f + 175.5f * float(i) / 400000.0f;  // [-87, 88.5]
            const float exact = static_cast<float>(std::exp(double(x)));
            const int64_t d = ulps(exp_vectorizable(x), exact);
            if (d > worst) worst = d, worst_x = x;
        }
        QVERIFY2(worst <= 2, qPrintable(QString("%1 ulp at x = %2").arg(worst).arg(worst_x, 0, 'g', 9)));
        QCOMPARE(exp_vectorizable(0.0f), 1.0f);
    }

    void expOutOfRange() {
        QVERIFY(std::isinf(exp_vectorizable(89.0f)));
        QVERIFY(std::isinf(exp_vectorizable(std::numeric_limits<float>::infinity())));
        const float tiny = exp_vectorizable(-1000.0f);
        QVERIFY(tiny > 0.0f && tiny < 1e-37f);
        QVERIFY(std::isfinite(exp_vectorizable(std::numeric_limits<float>::quiet_NaN())));
    }

    void siluMatchesFormula() {
        // Odd lengths and a sub-span: the vector loop's tails.
        std::vector<float> g, u, ref;
        for (int i = 0; i < 1001; ++i) {
            const float x = -95.0f + 0.19f * float(i);
            g.push_back(x);
            u.push_back(0.5f + 0.001f * float(i));
            ref.push_back(float(double(x) / (1.0 + std::exp(-double(x))) * double(u.back())));
        }
        const std::vector<float> before = g;
        gate_span(*scalar_kernels(), false, g.data(), u.data(), 3, 998);
        for (int i = 0; i < 1001; ++i) {
            if (i < 3 || i >= 998) {
                QCOMPARE(g[i], before[i]);  // outside the span: untouched
                continue;
            }
            const double err = std::fabs(double(g[i]) - double(ref[i]));
            QVERIFY2(err <= 1e-6 * std::fabs(double(ref[i])) + 1e-30,
                     qPrintable(QString("x = %1: %2 vs %3").arg(before[i]).arg(g[i], 0, 'g', 9).arg(ref[i], 0, 'g', 9)));
        }
        // Far negative: -0 like x / inf; NaN stays NaN.
        float edge[3] = {-200.0f, std::numeric_limits<float>::quiet_NaN(), 100.0f};
        const float one[3] = {1.0f, 1.0f, 1.0f};
        gate_span(*scalar_kernels(), false, edge, one, 0, 3);
        QCOMPARE(edge[0], 0.0f);
        QVERIFY(std::signbit(edge[0]));
        QVERIFY(std::isnan(edge[1]));
        QCOMPARE(edge[2], 100.0f);
    }

    void siluSameBitsInEverySet_data() { tbtest::kernel_rows(); }
    void siluSameBitsInEverySet() {
        REQUIRE_SET(k);
        std::mt19937 rng(21);
        std::normal_distribution<float> nd(0.0f, 6.0f);
        // Lengths around the 4, 8 and 16-float vectors, and the edges of exp's range.
        for (int64_t n : {1, 3, 7, 8, 15, 16, 17, 31, 33, 100, 1003}) {
            std::vector<float> g(static_cast<size_t>(n)), u(g.size());
            for (int64_t i = 0; i < n; ++i) g[i] = nd(rng), u[i] = nd(rng);
            const float edges[] = {-88.7f, 88.7f, -87.3f, 87.3f, -0.0f, 0.0f, -1e30f, 1e30f,
                                   std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                                   std::numeric_limits<float>::quiet_NaN(), 1e-40f};
            for (size_t i = 0; i < std::size(edges) && i < g.size(); ++i) g[i] = edges[i];
            std::vector<float> want = g, got = g;
            scalar_kernels()->silu_gate(want.data(), u.data(), n);
            k->silu_gate(got.data(), u.data(), n);
            QVERIFY2(std::memcmp(want.data(), got.data(), want.size() * sizeof(float)) == 0,
                     qPrintable(QString("%1, n = %2").arg(k->name).arg(n)));
        }
    }

    void reluSquaredExact() {
        float g[5] = {-3.0f, -0.0f, 0.0f, 1.5f, 7.0f};
        const float u[5] = {2.0f, 2.0f, 2.0f, 2.0f, 0.5f};
        gate_span(*scalar_kernels(), true, g, u, 0, 5);
        QCOMPARE(g[0], 0.0f);
        QCOMPARE(g[3], 4.5f);
        QCOMPARE(g[4], 24.5f);
    }
};

QTEST_APPLESS_MAIN(TestGateActivation)
#include "test_gate_activation.moc"
