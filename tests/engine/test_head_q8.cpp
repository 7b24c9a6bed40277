// The int8 output head: every usable kernel set's int8 product (four concurrent row streams x
// blocks of 4 tokens for VNNI, 2 for AVX2, engine/kernels/int8_tiles.h) gives the same bits as
// the scalar set's, for any row range.
#include <QtTest>

#include <cstring>
#include <random>
#include <vector>

#include "engine/kernels/kernel_set.h"
#include "engine/model/head_q8.h"
#include "engine/base/thread_pool.h"

using namespace tern;

namespace {

Q8Matrix random_head(std::mt19937& rng, int64_t rows, int64_t cols, bool extreme) {
    ThreadPool pool(1);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    std::vector<float> all(static_cast<size_t>(rows * cols));
    for (float& v : all) v = extreme ? -1.0f : nd(rng);  // all -1 rows quantize to -127
    return quantize_q8_rows(rows, cols, [&](int64_t r, float* out) {
        std::memcpy(out, all.data() + r * cols, static_cast<size_t>(cols) * sizeof(float));
    }, pool);
}

QuantizedActs acts(std::mt19937& rng, int64_t m, int64_t k, bool extreme) {
    QuantizedActs a;
    a.resize(m, k);
    for (int64_t t = 0; t < m; ++t) {
        a.dequant[static_cast<size_t>(t)] = 0.01f * static_cast<float>(t + 1);
        for (int64_t i = 0; i < k; ++i) a.q[t * k + i] = static_cast<int8_t>(extreme ? -128 : int(rng() % 256) - 128);
    }
    return a;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

class TestHeadQ8 : public QObject {
    Q_OBJECT
private slots:
    void simdEqualsPortable() {
        const auto sets = usable_kernel_variants();  // both AVX-512 variants where usable
        if (sets.size() < 2) QSKIP("no SIMD kernel set on this CPU: only the portable head loop exists");
        const KernelSet& scalar = *scalar_kernels();
        std::mt19937 rng(11);
        for (const KernelSet* ks : sets)
        for (bool extreme : {false, true})
            for (int64_t rows : {1, 3, 4, 37, 130})
                // Token blocks of 4 (VNNI) and 2 (AVX2), and every shorter last block; rows: four
                // streams with leftovers.
                for (int64_t m : {1, 2, 3, 4, 5, 7, 8, 11})
                for (int64_t k : {128, 384, 640}) {
                    const Q8Matrix w = random_head(rng, rows, k, extreme);
                    const QuantizedActs x = acts(rng, m, k, extreme);
                    std::vector<float> ref(static_cast<size_t>(m * rows), -7.0f), got = ref;
                    q8_gemm(scalar, w, 0, rows, x, ref.data(), rows);
                    q8_gemm(*ks, w, 0, rows, x, got.data(), rows);
                    QVERIFY2(same_bits(ref, got), qPrintable(QString("%1: rows %2 m %3 k %4 extreme %5")
                                                                 .arg(ks->name).arg(rows).arg(m).arg(k).arg(extreme)));
                    if (extreme) QCOMPARE(ref[0], float(127 * 128 * k) * w.scale[0] * x.dequant[0]);
                    // Any split of the rows (decode splits them across threads) gives the same bits.
                    std::vector<float> split(ref.size(), -7.0f);
                    for (int64_t b = 0; b < rows; b += 9) q8_gemm(*ks, w, b, std::min(rows, b + 9), x, split.data(), rows);
                    QVERIFY(same_bits(ref, split));
                }
    }
};

QTEST_APPLESS_MAIN(TestHeadQ8)
#include "test_head_q8.moc"
