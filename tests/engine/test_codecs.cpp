// Unit tests of the float and ternary codecs: exact half-float conversions, and ternary
// pack/unpack round trips on random trits.
#include <QtTest>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "engine/gguf/ggml_type.h"
#include "engine/base/error.h"
#include "engine/tensor/float_codecs.h"
#include "engine/tensor/ternary_codecs.h"

using namespace tern;

namespace {
uint32_t bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}
float from_bits(uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}
std::vector<int8_t> random_trits(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::vector<int8_t> t(n);
    for (auto& x : t) x = static_cast<int8_t>(int(rng() % 3) - 1);
    return t;
}
}  // namespace

class TestCodecs : public QObject {
    Q_OBJECT
private slots:
    void type_traits_known_sizes() {
        QCOMPARE(type_traits(uint32_t(GgmlType::Q6_K))->block_size, 256);
        QCOMPARE(type_traits(uint32_t(GgmlType::Q6_K))->block_bytes, 210);
        QCOMPARE(type_traits(uint32_t(GgmlType::Q8_0))->block_bytes, 34);
        QCOMPARE(type_traits(uint32_t(GgmlType::TQ1_0))->block_bytes, 54);
        QCOMPARE(type_traits(uint32_t(GgmlType::TQ2_0))->block_bytes, 66);
        QCOMPARE(type_traits(uint32_t(GgmlType::BF16))->block_bytes, 2);
        QVERIFY(!type_traits(37));
        QVERIFY(!type_traits(1000));
        QCOMPARE(type_name(35), std::string("TQ2_0"));
        QCOMPARE(type_name(99), std::string("type 99"));
        const int64_t ne[2] = {2560, 6912};
        QCOMPARE(*tensor_nbytes(uint32_t(GgmlType::I2_S), ne, 2), uint64_t(2560 * 6912 / 4 + 32));
        QCOMPARE(*tensor_nbytes(uint32_t(GgmlType::TQ2_0), ne, 2), uint64_t(10 * 66 * 6912));
        QCOMPARE(*tensor_nbytes(uint32_t(GgmlType::F16), ne, 2), uint64_t(2560 * 6912 * 2));
        const int64_t odd[2] = {100, 3};
        QVERIFY(!tensor_nbytes(uint32_t(GgmlType::TQ2_0), odd, 2));
        QVERIFY(!tensor_nbytes(uint32_t(GgmlType::I2_S), odd, 2));
        const int64_t huge[4] = {int64_t(1) << 40, int64_t(1) << 40, 1, 1};
        QVERIFY(!tensor_nbytes(uint32_t(GgmlType::F32), huge, 4));
        const int64_t neg[1] = {-256};
        QVERIFY(!tensor_nbytes(uint32_t(GgmlType::F32), neg, 1));
    }

    void f16_round_trips_every_value() {
        for (uint32_t h = 0; h < 65536; ++h) {
            const float f = f16_to_f32(uint16_t(h));
            if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff)) {
                QVERIFY(std::isnan(f));
                QVERIFY(std::isnan(f16_to_f32(f32_to_f16(f))));
                continue;
            }
            QCOMPARE(uint32_t(f32_to_f16(f)), h);
        }
        QCOMPARE(f16_to_f32(0x3c00), 1.0f);
        QCOMPARE(f16_to_f32(0xc000), -2.0f);
        QCOMPARE(f16_to_f32(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
        QCOMPARE(f16_to_f32(0x7bff), 65504.0f);
        QVERIFY(std::isinf(f16_to_f32(0x7c00)));
    }

    void f32_to_f16_rounds_to_nearest_even() {
        // Halfway between 1 and the next half (1 + 2^-10): ties go to the even mantissa.
        QCOMPARE(uint32_t(f32_to_f16(1.0f + std::ldexp(1.0f, -11))), 0x3c00u);
        QCOMPARE(uint32_t(f32_to_f16(1.0f + 3 * std::ldexp(1.0f, -11))), 0x3c02u);
        QCOMPARE(uint32_t(f32_to_f16(std::nextafter(1.0f + std::ldexp(1.0f, -11), 2.f))), 0x3c01u);
        QCOMPARE(uint32_t(f32_to_f16(65520.0f)), 0x7c00u);          // rounds up to inf
        QCOMPARE(uint32_t(f32_to_f16(65519.0f)), 0x7bffu);
        QCOMPARE(uint32_t(f32_to_f16(std::ldexp(1.0f, -25))), 0x0000u);   // tie to even 0
        QCOMPARE(uint32_t(f32_to_f16(std::ldexp(3.0f, -25))), 0x0002u);   // tie to even 2
        QCOMPARE(uint32_t(f32_to_f16(-std::ldexp(1.0f, -26))), 0x8000u);  // -0
        QCOMPARE(uint32_t(f32_to_f16(std::numeric_limits<float>::infinity())), 0x7c00u);
        QVERIFY(std::isnan(f16_to_f32(f32_to_f16(std::nanf("")))));
        // Every midpoint between adjacent finite halves rounds to the even neighbour.
        for (uint32_t h = 0; h < 0x7bff; ++h) {
            const double lo = f16_to_f32(uint16_t(h)), hi = f16_to_f32(uint16_t(h + 1));
            const float mid = float((lo + hi) / 2);  // exact in float
            QCOMPARE(uint32_t(f32_to_f16(mid)), (h & 1) ? h + 1 : h);
            QCOMPARE(uint32_t(f32_to_f16(std::nextafter(mid, 1e9f))), h + 1);
            QCOMPARE(uint32_t(f32_to_f16(std::nextafter(mid, -1e9f))), h);
        }
    }

#ifdef __FLT16_MAX__
    // The compiler's _Float16 conversion (IEEE, round to nearest even) as an oracle.
    void f32_to_f16_matches_compiler() {
        std::mt19937 rng(42);
        for (int i = 0; i < 2000000; ++i) {
            const float f = from_bits(rng());
            if (std::isnan(f)) continue;
            const _Float16 h = static_cast<_Float16>(f);
            uint16_t hb;
            std::memcpy(&hb, &h, 2);
            if (f32_to_f16(f) != hb) QFAIL(qPrintable(QString("mismatch for bits %1").arg(bits(f), 8, 16)));
        }
    }
#endif

    void bf16_conversions() {
        QCOMPARE(bf16_to_f32(0x3f80), 1.0f);
        QCOMPARE(uint32_t(f32_to_bf16(1.0f)), 0x3f80u);
        QCOMPARE(uint32_t(f32_to_bf16(from_bits(0x3f808000))), 0x3f80u);  // tie to even
        QCOMPARE(uint32_t(f32_to_bf16(from_bits(0x3f818000))), 0x3f82u);  // tie to even
        QCOMPARE(uint32_t(f32_to_bf16(from_bits(0x3f808001))), 0x3f81u);
        QVERIFY(std::isnan(bf16_to_f32(f32_to_bf16(std::nanf("")))));
        for (uint32_t h = 0; h < 65536; ++h) {
            const float f = bf16_to_f32(uint16_t(h));
            if (!std::isnan(f)) QCOMPARE(uint32_t(f32_to_bf16(f)), h);
        }
    }

    void dequantize_float_types() {
        const float src[3] = {1.5f, -2.25f, 3e-5f};
        float out[3];
        dequantize_row(uint32_t(GgmlType::F32), reinterpret_cast<const uint8_t*>(src), 3, out);
        QCOMPARE(out[1], -2.25f);
        uint16_t h[3] = {f32_to_f16(1.5f), f32_to_f16(-2.25f), f32_to_f16(0.5f)};
        dequantize_row(uint32_t(GgmlType::F16), reinterpret_cast<const uint8_t*>(h), 3, out);
        QCOMPARE(out[0], 1.5f);
        QCOMPARE(out[2], 0.5f);
        uint16_t b[2] = {0x4040, 0xc000};
        dequantize_row(uint32_t(GgmlType::BF16), reinterpret_cast<const uint8_t*>(b), 2, out);
        QCOMPARE(out[0], 3.0f);
        QCOMPARE(out[1], -2.0f);
    }

    void dequantize_q8_0_known_answer() {
        std::vector<uint8_t> blk(34 * 2);
        for (int b = 0; b < 2; ++b) {
            const uint16_t d = f32_to_f16(b == 0 ? 0.5f : -0.25f);
            std::memcpy(blk.data() + 34 * b, &d, 2);
            for (int i = 0; i < 32; ++i) blk[size_t(34 * b + 2 + i)] = uint8_t(int8_t(i - 16));
        }
        std::vector<float> out(64);
        dequantize_row(uint32_t(GgmlType::Q8_0), blk.data(), 64, out.data());
        QCOMPARE(out[0], -8.0f);
        QCOMPARE(out[31], 7.5f);
        QCOMPARE(out[32], 4.0f);
        QCOMPARE(out[63], -3.75f);
    }

    void dequantize_q6_k_known_answer() {
        // One block: code 32 everywhere (value 0) except chosen weights; scales[s] = s + 1.
        std::vector<uint8_t> b(210, 0);
        uint8_t* ql = b.data();
        uint8_t* qh = b.data() + 128;
        auto* sc = reinterpret_cast<int8_t*>(b.data() + 192);
        for (int s = 0; s < 16; ++s) sc[s] = int8_t(s + 1);
        for (int i = 0; i < 64; ++i) qh[i] = 0xAA;  // high bits 2 -> code 32 with low nibble 0
        const uint16_t d = f32_to_f16(0.5f);
        std::memcpy(b.data() + 208, &d, 2);
        // Weight 0: low nibble of ql[0] = 5 -> code 37 -> +5, scale 1.
        ql[0] = 0x05;
        // Weight 64+17 (3rd quarter of the first half, l=17): high nibble of ql[17] = 3,
        // qh[17] bits 5:4 = 0 -> code 3 -> -29, scale index 1+4 = 5 -> scale 6.
        ql[17] = 0x30;
        qh[17] = 0x8A;
        // Weight 128+32+20 (second half, 2nd quarter, l=20): low nibble of ql[64+32+20]=15,
        // qh[32+20] bits 3:2 = 3 -> code 63 -> +31, scale index 8+1+2 = 11 -> scale 12.
        ql[64 + 32 + 20] = 0x0F;
        qh[32 + 20] = 0xAE;
        std::vector<float> out(256);
        dequantize_row(uint32_t(GgmlType::Q6_K), b.data(), 256, out.data());
        QCOMPARE(out[0], 0.5f * 1 * 5);
        QCOMPARE(out[64 + 17], 0.5f * 6 * -29);
        QCOMPARE(out[128 + 32 + 20], 0.5f * 12 * 31);
        int nonzero = 0;
        for (float v : out) nonzero += v != 0;
        QCOMPARE(nonzero, 3);
    }

    void dequantize_refuses_unsupported() {
        uint8_t buf[256] = {};
        float out[256];
        QVERIFY_THROWS_EXCEPTION(UnsupportedError,
                                 dequantize_row(uint32_t(GgmlType::Q4_K), buf, 256, out));
        QVERIFY_THROWS_EXCEPTION(Error, dequantize_row(uint32_t(GgmlType::Q8_0), buf, 33, out));
        QVERIFY(is_float_decodable(uint32_t(GgmlType::Q6_K)));
        QVERIFY(!is_float_decodable(uint32_t(GgmlType::TQ2_0)));
    }

    void tq2_0_round_trip() {
        const int64_t n = 1024;
        const auto trits = random_trits(n, 1);
        const float scales[4] = {0.5f, 0.125f, 2.0f, 0.0f};
        std::vector<uint8_t> packed(size_t(n / 256 * 66));
        tq2_0_pack_row(trits.data(), scales, n, packed.data());
        std::vector<int8_t> back(n);
        float s2[4];
        tq2_0_unpack_row(packed.data(), n, back.data(), s2);
        QCOMPARE(back, trits);
        for (int i = 0; i < 4; ++i) QCOMPARE(s2[i], scales[i]);
        // Layout spot check (docs/FORMATS.md section 2): weight m+32k sits in bits 2k+1:2k of byte m.
        QCOMPARE(int(packed[5] >> 2 & 3) - 1, int(trits[5 + 32]));
        QCOMPARE(int(packed[32 + 7] >> 6 & 3) - 1, int(trits[128 + 7 + 96]));
    }

    void tq1_0_round_trip() {
        const int64_t n = 768;
        const auto trits = random_trits(n, 2);
        const float scales[3] = {1.0f, 0.0625f, 3.0f};
        std::vector<uint8_t> packed(size_t(n / 256 * 54));
        tq1_0_pack_row(trits.data(), scales, n, packed.data());
        std::vector<int8_t> back(n);
        float s2[3];
        tq1_0_unpack_row(packed.data(), n, back.data(), s2);
        QCOMPARE(back, trits);
        for (int i = 0; i < 3; ++i) QCOMPARE(s2[i], scales[i]);
        // All-(+1) block: each qs byte encodes 22222 (242) -> ceil(242*256/243) = 255.
        std::vector<int8_t> ones(256, 1);
        std::vector<uint8_t> p(54);
        tq1_0_pack_row(ones.data(), scales, 256, p.data());
        QCOMPARE(int(p[0]), 255);
        // qh: four trits 2222 (base 3) = 80, shifted one trit (x3) = 240 -> ceil(240*256/243) = 253.
        QCOMPARE(int(p[48]), 253);
    }

    void i2_s_round_trip() {
        const int64_t rows = 3, cols = 384;
        const auto trits = random_trits(size_t(rows * cols), 3);
        const auto packed = i2_s_pack(trits.data(), rows, cols, 0.75f);
        QCOMPARE(packed.size(), size_t(rows * cols / 4 + 32));
        QCOMPARE(i2_s_scale(packed.data(), rows, cols), 0.75f);
        std::vector<int8_t> back(size_t(rows * cols));
        for (int64_t r = 0; r < rows; ++r) i2_s_unpack_row(packed.data(), r, cols, back.data() + r * cols);
        QCOMPARE(back, trits);
        // Byte p holds weight p in its top bit pair (code = trit + 1).
        QCOMPARE(int(packed[3] >> 6) - 1, int(trits[3]));
        QCOMPARE(int(packed[3] & 3) - 1, int(trits[3 + 96]));
    }

    void bad_row_lengths_throw() {
        int8_t t[300] = {};
        uint8_t out[200];
        float s[2] = {1, 1};
        QVERIFY_THROWS_EXCEPTION(Error, tq2_0_pack_row(t, s, 300, out));
        QVERIFY_THROWS_EXCEPTION(Error, tq1_0_unpack_row(out, 100, t, s));
        QVERIFY_THROWS_EXCEPTION(Error, i2_s_pack(t, 1, 100, 1.0f));
    }
};

QTEST_APPLESS_MAIN(TestCodecs)
#include "test_codecs.moc"
