// The FFN gate: its vectorizable e^x against the exact one, and SiLU / ReLU^2 at the edges.
#include <QtTest>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "engine/model/gate_activation.h"

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
        gate_span(false, g.data(), u.data(), 3, 998);
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
        gate_span(false, edge, one, 0, 3);
        QCOMPARE(edge[0], 0.0f);
        QVERIFY(std::signbit(edge[0]));
        QVERIFY(std::isnan(edge[1]));
        QCOMPARE(edge[2], 100.0f);
    }

    void reluSquaredExact() {
        float g[5] = {-3.0f, -0.0f, 0.0f, 1.5f, 7.0f};
        const float u[5] = {2.0f, 2.0f, 2.0f, 2.0f, 0.5f};
        gate_span(true, g, u, 0, 5);
        QCOMPARE(g[0], 0.0f);
        QCOMPARE(g[3], 4.5f);
        QCOMPARE(g[4], 24.5f);
    }
};

QTEST_APPLESS_MAIN(TestGateActivation)
#include "test_gate_activation.moc"
