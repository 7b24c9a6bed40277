// Batched ternary products (M > 1) with rows long enough that the SIMD tiles widen their int16
// partial sums several times inside one scale group (K > 1024), on random and adversarial
// (largest same-sign products) inputs: every kernel set equals the scalar reference bit for bit.
#include <QtTest>

#include <cstring>
#include <random>
#include <vector>

#include "engine/kernels/kernel_set.h"

using namespace tern;

namespace {
// Codes c in {0,1,2} (trit c-1) from gen(row, col); every byte written through the public layout.
template <class Gen>
TernaryMatrix make_weights(int64_t rows, int64_t cols, int64_t group, Gen gen) {
    TernaryMatrix w = make_ternary_matrix(rows, cols, group);
    std::vector<int8_t> trits(static_cast<size_t>(cols));
    for (int64_t r = 0; r < rows; ++r) {
        for (int64_t c = 0; c < cols; ++c) trits[static_cast<size_t>(c)] = static_cast<int8_t>(gen(r, c));
        pack_trits_row(trits.data(), cols, w.row_codes(r));
    }
    for (size_t i = 0; i < w.scales.size(); ++i) w.scales[i] = 0.01f * static_cast<float>(i % 7 + 1);
    return w;
}

template <class Gen>
QuantizedActs make_acts(int64_t m, int64_t k, Gen gen) {
    QuantizedActs x;
    x.resize(m, k);
    for (int64_t t = 0; t < m; ++t) {
        x.dequant[static_cast<size_t>(t)] = 0.5f + 0.25f * static_cast<float>(t);
        for (int64_t b = 0; b < k / 128; ++b) {
            int32_t sum = 0;
            for (int64_t i = b * 128; i < (b + 1) * 128; ++i) {
                const int8_t v = static_cast<int8_t>(gen(t, i));
                x.q.get()[t * k + i] = v;
                sum += v;
            }
            x.block_sums[static_cast<size_t>(t * (k / 128) + b)] = sum;
        }
    }
    return x;
}

void expect_identical(const TernaryMatrix& w, const QuantizedActs& x, const char* what) {
    const int64_t n = w.rows, m = x.rows;
    std::vector<float> ref(static_cast<size_t>(n * m)), got(ref.size());
    scalar_kernels()->ternary_gemm(w, 0, n, x, ref.data(), n);
    for (const KernelSet* k : available_kernels()) {
        std::fill(got.begin(), got.end(), -1.0f);
        k->ternary_gemm(w, 0, n, x, got.data(), n);
        QVERIFY2(std::memcmp(ref.data(), got.data(), ref.size() * sizeof(float)) == 0,
                 qPrintable(QString("%1 %2 N=%3 K=%4 M=%5 group=%6").arg(k->name).arg(what).arg(n).arg(w.cols)
                                .arg(m).arg(w.group_size)));
    }
}
}  // namespace

class TestGemmLongRows : public QObject {
    Q_OBJECT
private slots:
    void random_long_rows() {
        std::mt19937 rng(42);
        for (int64_t k : {2048, 3072, 5632})
            for (int64_t group : {k, int64_t(256)})
                for (int64_t m : {2, 3, 8}) {
                    const TernaryMatrix w = make_weights(9, k, group, [&](int64_t, int64_t) { return int(rng() % 3) - 1; });
                    const QuantizedActs x = make_acts(m, k, [&](int64_t, int64_t) { return int(rng() % 256) - 128; });
                    expect_identical(w, x, "random");
                }
    }

    void adversarial_long_rows() {
        struct Case { const char* name; int trit; int q; };
        const Case cases[] = {{"+1 x +127", 1, 127}, {"-1 x -128", -1, -128}, {"+1 x -128", 1, -128}};
        for (const Case& c : cases) {
            const int64_t k = 16384;
            const TernaryMatrix w = make_weights(4, k, k, [&](int64_t, int64_t) { return c.trit; });
            const QuantizedActs x = make_acts(2, k, [&](int64_t, int64_t) { return c.q; });
            expect_identical(w, x, c.name);
            // The exact integer: K * trit * q, times scale and dequant (one rounding each).
            std::vector<float> y(8);
            scalar_kernels()->ternary_gemm(w, 0, 4, x, y.data(), 4);
            const float expect = (static_cast<float>(k * c.trit * c.q) * w.scales[0]) * x.dequant[0];
            QCOMPARE(y[0], expect);
        }
    }
};

QTEST_APPLESS_MAIN(TestGemmLongRows)
#include "test_gemm_long_rows.moc"
