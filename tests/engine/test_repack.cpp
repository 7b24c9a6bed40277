// The byte-level load-time repacking (engine/model/repack.h) against the trit-by-trit path
// (unpack the file row, pack_trits_row), and the vectorized F16 row decode against the scalar
// f16_to_f32 on every half value.
#include <QtTest>

#include <cstring>
#include <random>
#include <vector>

#include "engine/gguf/ggml_type.h"
#include "engine/kernels/ternary_matrix.h"
#include "engine/model/repack.h"
#include "engine/tensor/float_codecs.h"
#include "engine/tensor/ternary_codecs.h"

using namespace tern;

namespace {
std::vector<int8_t> random_trits(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::vector<int8_t> t(n);
    for (auto& x : t) x = static_cast<int8_t>(static_cast<int>(rng() % 3) - 1);
    return t;
}
}  // namespace

class TestRepack : public QObject {
    Q_OBJECT
private slots:
    void tq2_0_matches_trit_path() {
        const int64_t cols = 1024;
        auto trits = random_trits(cols, 7);
        std::fill(trits.begin() + 256, trits.begin() + 512, 0);  // an all-zero block
        const float scales[4] = {0.5f, 0.25f, 0.125f, 2.0f};
        std::vector<uint8_t> file(static_cast<size_t>(cols / 256 * 66));
        tq2_0_pack_row(trits.data(), scales, cols, file.data());
        std::vector<uint8_t> expect(static_cast<size_t>(cols / 4)), got(expect.size());
        pack_trits_row(trits.data(), cols, expect.data());
        float bs[4];
        bool zero[4];
        QCOMPARE(repack_tq2_0_row(file.data(), cols, got.data(), bs, zero), int64_t(-1));
        QVERIFY(got == expect);
        for (int b = 0; b < 4; ++b) QCOMPARE(bs[b], scales[b]);
        QVERIFY(!zero[0] && zero[1] && !zero[2] && !zero[3]);
        // Code 3 at weight 300: block 1, first half, byte 12, bit pair 1.
        const int64_t col = 300, blk = col / 256, half = (col % 256) / 128, lane = (col % 128) / 32, m = col % 32;
        file[static_cast<size_t>(blk * 66 + half * 32 + m)] |= static_cast<uint8_t>(3 << (2 * lane));
        QCOMPARE(repack_tq2_0_row(file.data(), cols, got.data(), bs, zero), col);
    }

    void i2_s_matches_trit_path() {
        const int64_t rows = 3, cols = 384;
        const auto trits = random_trits(static_cast<size_t>(rows * cols), 11);
        auto file = i2_s_pack(trits.data(), rows, cols, 0.75f);
        for (int64_t r = 0; r < rows; ++r) {
            std::vector<uint8_t> expect(static_cast<size_t>(cols / 4)), got(expect.size());
            pack_trits_row(trits.data() + r * cols, cols, expect.data());
            QCOMPARE(repack_i2_s_row(file.data() + r * cols / 4, cols, got.data()), int64_t(-1));
            QVERIFY(got == expect);
        }
        // Code 3 in the top bit pair of byte 5 of row 0 = weight 5 of the first block.
        file[5] |= 0xC0;
        std::vector<uint8_t> got(static_cast<size_t>(cols / 4));
        QCOMPARE(repack_i2_s_row(file.data(), cols, got.data()), int64_t(5));
    }

    void f16_rows_match_scalar_for_every_half() {
        // All 65536 halves (NaN payloads, infinities, subnormals), at odd offsets and lengths.
        std::vector<uint16_t> h(65536 + 5);
        for (size_t i = 0; i < h.size(); ++i) h[i] = static_cast<uint16_t>(i * 40503u);
        for (int64_t start : {0, 3}) {
            const int64_t n = static_cast<int64_t>(h.size()) - start;
            std::vector<float> out(static_cast<size_t>(n));
            dequantize_row(static_cast<uint32_t>(GgmlType::F16), reinterpret_cast<const uint8_t*>(h.data() + start),
                           n, out.data());
            for (int64_t i = 0; i < n; ++i) {
                const float ref = f16_to_f32(h[static_cast<size_t>(start + i)]);
                QVERIFY2(std::memcmp(&ref, &out[static_cast<size_t>(i)], 4) == 0, qPrintable(QString::number(i)));
            }
        }
    }
};

QTEST_APPLESS_MAIN(TestRepack)
#include "test_repack.moc"
