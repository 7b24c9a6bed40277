// The float side of every kernel set against the scalar reference: fused attention, the float
// GEMMs, dot/axpy and rmsnorm within a relative 1e-5, and the F16 stores of the KV cache bit for
// bit against the tensor codec.
#include <QtTest>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "engine/kernel_test_sets.h"
#include "engine/kernels/kernel_set.h"
#include "engine/kernels/scalar_common.h"
#include "engine/tensor/float_codecs.h"

using namespace tern;
using tbtest::kernel_rows;

class TestFloatKernels : public QObject {
    Q_OBJECT
private slots:
    void attendMatchesScalar_data() { kernel_rows(); }
    void attendMatchesScalar() {
        // Fused attention (key blocks, vector exp, register value sums) against the reference:
        // key counts around the block widths, head sizes with and without a 64-wide part and not
        // a multiple of 16 (the AVX-512 sets' fallback), F32 and F16 caches, a peaked score row
        // (one key dominating), and a row whose scores are all far below zero.
        REQUIRE_SET(k);
        const KernelSet& s = *scalar_kernels();
        std::mt19937 rng(21);
        std::normal_distribution<float> nd(0.0f, 1.0f);
        for (int64_t hd : {64, 128, 80, 40, 12})
            for (int64_t n : {1, 2, 4, 7, 8, 9, 16, 33, 300})
                for (int mode : {0, 1, 2}) {  // plain, one key peaked, every score far below zero
                    const bool peaked = mode == 1;
                    std::vector<float> q(static_cast<size_t>(hd)), kf(static_cast<size_t>(n * hd)), vf(kf.size());
                    for (float& x : q) x = nd(rng);
                    for (float& x : kf) x = nd(rng);
                    for (float& x : vf) x = nd(rng);
                    if (peaked)
                        for (int64_t d = 0; d < hd; ++d) kf[static_cast<size_t>((n / 2) * hd + d)] = 30.0f * q[static_cast<size_t>(d)];
                    if (mode == 2) {  // exact scores -(1200 + j % 5) * scale: below -87, not all equal
                        std::fill(kf.begin(), kf.end(), 0.0f);
                        for (int64_t j = 0; j < n; ++j) kf[static_cast<size_t>(j * hd)] = -1200.0f - static_cast<float>(j % 5);
                        q[0] = 1.0f;
                    }
                    std::vector<uint16_t> kh(kf.size()), vh(vf.size());
                    for (size_t i = 0; i < kf.size(); ++i) kh[i] = f32_to_f16(kf[i]), vh[i] = f32_to_f16(vf[i]);
                    const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
                    std::vector<float> scores(static_cast<size_t>(n)), ref(static_cast<size_t>(hd)), got(ref.size());
                    for (bool f16 : {false, true}) {
                        if (f16) {
                            s.attend_f16(q.data(), kh.data(), vh.data(), n, hd, scale, scores.data(), ref.data());
                            k->attend_f16(q.data(), kh.data(), vh.data(), n, hd, scale, scores.data(), got.data());
                        } else {
                            s.attend_f32(q.data(), kf.data(), vf.data(), n, hd, scale, scores.data(), ref.data());
                            k->attend_f32(q.data(), kf.data(), vf.data(), n, hd, scale, scores.data(), got.data());
                        }
                        for (int64_t d = 0; d < hd; ++d) {
                            const float r = ref[static_cast<size_t>(d)], g = got[static_cast<size_t>(d)];
                            QVERIFY2(std::isfinite(g) && std::fabs(g - r) <= 1e-5f + 1e-4f * std::fabs(r),
                                     qPrintable(QString("hd %1 n %2 f16 %3 d %4: %5 vs %6").arg(hd).arg(n).arg(f16).arg(d).arg(r).arg(g)));
                        }
                    }
                    if (n == 1)  // one key: weight exactly 1, the output is that (F16) value row
                        for (int64_t d = 0; d < hd; ++d) QCOMPARE(got[static_cast<size_t>(d)], f16_to_f32(vh[static_cast<size_t>(d)]));
                }
    }

    void attendRowsMatchesScalar_data() { kernel_rows(); }
    void attendRowsMatchesScalar() {
        // Prefill's causal rows (row i over n + i keys): each row the set's one-row bits exactly,
        // and within tolerance of the reference. Row
        // counts that leave every remainder of the 4- and 2-row passes, key counts around the
        // 4-key blocks, head sizes with and without a 64-wide part and not a multiple of 16, F32
        // and F16 caches, one row's scores peaked.
        REQUIRE_SET(k);
        const KernelSet& s = *scalar_kernels();
        std::mt19937 rng(22);
        std::normal_distribution<float> nd(0.0f, 1.0f);
        for (int64_t hd : {64, 128, 80, 40, 12})
            for (int64_t n : {1, 3, 4, 5, 33, 300})
                for (int64_t rows : {1, 2, 3, 4, 5, 16}) {
                    const int64_t ldq = rows == 4 ? 4 * hd : hd + 3, keys = n + rows - 1;
                    std::vector<float> q(static_cast<size_t>(rows * ldq)), kf(static_cast<size_t>(keys * hd)), vf(kf.size());
                    for (float& x : q) x = nd(rng);
                    for (float& x : kf) x = nd(rng);
                    for (float& x : vf) x = nd(rng);
                    for (int64_t d = 0; d < hd; ++d)  // row 1 (if any) all but picks key n / 2
                        kf[static_cast<size_t>((n / 2) * hd + d)] = rows > 1 ? 30.0f * q[static_cast<size_t>(ldq + d)] : kf[static_cast<size_t>((n / 2) * hd + d)];
                    std::vector<uint16_t> kh(kf.size()), vh(vf.size());
                    for (size_t i = 0; i < kf.size(); ++i) kh[i] = f32_to_f16(kf[i]), vh[i] = f32_to_f16(vf[i]);
                    const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
                    std::vector<float> scores(static_cast<size_t>(4 * (n + rows))), ref(static_cast<size_t>(hd));
                    std::vector<float> got(static_cast<size_t>(rows * ldq), NAN);
                    for (bool f16 : {false, true}) {
                        if (f16)
                            k->attend_rows_f16(q.data(), ldq, rows, kh.data(), vh.data(), n, hd, scale, scores.data(), got.data(), ldq);
                        else
                            k->attend_rows_f32(q.data(), ldq, rows, kf.data(), vf.data(), n, hd, scale, scores.data(), got.data(), ldq);
                        for (int64_t i = 0; i < rows; ++i) {
                            // The set's own one-row kernel gives the same bits (decode equals prefill).
                            std::vector<float> one(static_cast<size_t>(hd));
                            if (f16)
                                k->attend_f16(q.data() + i * ldq, kh.data(), vh.data(), n + i, hd, scale, scores.data(), one.data());
                            else
                                k->attend_f32(q.data() + i * ldq, kf.data(), vf.data(), n + i, hd, scale, scores.data(), one.data());
                            QVERIFY2(std::memcmp(one.data(), got.data() + i * ldq, one.size() * sizeof(float)) == 0,
                                     qPrintable(QString("hd %1 n %2 rows %3 row %4 f16 %5: not the one-row bits").arg(hd).arg(n).arg(rows).arg(i).arg(f16)));
                            if (f16)
                                s.attend_f16(q.data() + i * ldq, kh.data(), vh.data(), n + i, hd, scale, scores.data(), ref.data());
                            else
                                s.attend_f32(q.data() + i * ldq, kf.data(), vf.data(), n + i, hd, scale, scores.data(), ref.data());
                            for (int64_t d = 0; d < hd; ++d) {
                                const float r = ref[static_cast<size_t>(d)], g = got[static_cast<size_t>(i * ldq + d)];
                                QVERIFY2(std::isfinite(g) && std::fabs(g - r) <= 1e-5f + 1e-4f * std::fabs(r),
                                         qPrintable(QString("hd %1 n %2 rows %3 row %4 f16 %5 d %6: %7 vs %8")
                                                        .arg(hd).arg(n).arg(rows).arg(i).arg(f16).arg(d).arg(r).arg(g)));
                            }
                        }
                    }
                }
    }

    void quantizeActs_data() { kernel_rows(); }
    void quantizeActs() {
        REQUIRE_SET(k);
        std::mt19937 rng(13);
        const int64_t kk = 640, ldx = 700;
        std::vector<float> x(static_cast<size_t>(6 * ldx), 0.0f);
        std::normal_distribution<float> nd(0.0f, 1.0f);
        for (float& v : x) v = nd(rng);
        for (int64_t i = 0; i < kk; ++i) {
            x[1 * ldx + i] = (i % 2 ? -1.0f : 1.0f) * (float(i % 200) + 0.5f) * (i == 0 ? 0.0f : 1.0f);  // ties
            x[2 * ldx + i] = 0.0f;                                                                     // zeros
            x[3 * ldx + i] = (i % 3 - 1) * 3e37f + float(i);                                            // huge
            x[4 * ldx + i] = nd(rng) * 1e-30f;                                                          // tiny
        }
        x[1 * ldx + 5] = 127.0f;
        x[1 * ldx + 6] = -127.0f;
        QuantizedActs qs, qk;
        scalar_kernels()->quantize_acts(x.data(), 6, kk, ldx, qs);
        k->quantize_acts(x.data(), 6, kk, ldx, qk);
        QCOMPARE(qk.rows, int64_t(6));
        QCOMPARE(qk.cols, kk);
        QVERIFY(std::memcmp(qs.q.get(), qk.q.get(), static_cast<size_t>(6 * kk)) == 0);
        QCOMPARE(qk.block_sums, qs.block_sums);
        QVERIFY(std::memcmp(qs.dequant.data(), qk.dequant.data(), 6 * sizeof(float)) == 0);
        // Reuse of a larger buffer for fewer rows keeps working.
        k->quantize_acts(x.data(), 2, kk, ldx, qk);
        QVERIFY(std::memcmp(qs.q.get(), qk.q.get(), static_cast<size_t>(2 * kk)) == 0);
    }

    void floatKernels_data() { kernel_rows(); }
    void floatKernels() {
        REQUIRE_SET(k);
        std::mt19937 rng(17);
        std::uniform_real_distribution<float> ud(-1.0f, 1.0f);
        for (int64_t kk : {1, 7, 33, 100, 2048})
            for (int64_t n : {1, 5, 9})
                for (int64_t m : {1, 3}) {
                    std::vector<float> w(static_cast<size_t>(n * kk)), x(static_cast<size_t>(m * kk));
                    std::vector<uint16_t> wh(w.size());
                    for (size_t i = 0; i < w.size(); ++i) {
                        wh[i] = f32_to_f16(ud(rng));
                        w[i] = scalar_detail::f16_to_f32(wh[i]);  // same values in both forms
                    }
                    for (float& v : x) v = ud(rng);
                    const int64_t ldy = n + 2;
                    std::vector<float> y32(static_cast<size_t>(m * ldy)), y16(y32.size());
                    k->f32_gemm(w.data(), 0, n, x.data(), m, kk, y32.data(), ldy);
                    k->f16_gemm(wh.data(), 0, n, x.data(), m, kk, y16.data(), ldy);
                    for (int64_t t = 0; t < m; ++t)
                        for (int64_t r = 0; r < n; ++r) {
                            double ref = 0, mag = 0;
                            for (int64_t i = 0; i < kk; ++i) {
                                ref += double(w[r * kk + i]) * x[t * kk + i];
                                mag += std::fabs(double(w[r * kk + i]) * x[t * kk + i]);
                            }
                            const double tol = 1e-5 * mag + 1e-30;
                            QVERIFY2(std::fabs(y32[t * ldy + r] - ref) <= tol, qPrintable(QString("f32 K=%1").arg(kk)));
                            QVERIFY2(std::fabs(y16[t * ldy + r] - ref) <= tol, qPrintable(QString("f16 K=%1").arg(kk)));
                        }
                    // Vector helpers on the first row.
                    double ref = 0, mag = 0;
                    for (int64_t i = 0; i < kk; ++i) {
                        ref += double(w[i]) * x[i];
                        mag += std::fabs(double(w[i]) * x[i]);
                    }
                    QVERIFY(std::fabs(k->dot_f32(w.data(), x.data(), kk) - ref) <= 1e-5 * mag + 1e-30);
                    QVERIFY(std::fabs(k->dot_f16_f32(wh.data(), x.data(), kk) - ref) <= 1e-5 * mag + 1e-30);
                    std::vector<float> ya(x.begin(), x.begin() + kk), yb = ya, ys = ya, yh = ya;
                    k->axpy_f32(0.75f, w.data(), ya.data(), kk);
                    scalar_kernels()->axpy_f32(0.75f, w.data(), ys.data(), kk);
                    k->axpy_f16_f32(0.75f, wh.data(), yb.data(), kk);
                    scalar_kernels()->axpy_f16_f32(0.75f, wh.data(), yh.data(), kk);
                    for (int64_t i = 0; i < kk; ++i) {
                        QVERIFY(std::fabs(ya[i] - ys[i]) <= 1e-6f * (1 + std::fabs(ys[i])));
                        QVERIFY(std::fabs(yb[i] - yh[i]) <= 1e-6f * (1 + std::fabs(yh[i])));
                    }
                    std::vector<float> ra(static_cast<size_t>(kk)), rs(ra.size());
                    k->rmsnorm(x.data(), w.data(), kk, 1e-6f, ra.data());
                    scalar_kernels()->rmsnorm(x.data(), w.data(), kk, 1e-6f, rs.data());
                    for (int64_t i = 0; i < kk; ++i) QVERIFY(std::fabs(ra[i] - rs[i]) <= 1e-6f * (1 + std::fabs(rs[i])));
                }
    }

    void scalarRmsnormValue() {
        const float x[4] = {1, -2, 3, -4}, w[4] = {1, 1, 2, 0.5f};
        float out[4];
        scalar_kernels()->rmsnorm(x, w, 4, 0.0f, out);
        const float scale = 1.0f / std::sqrt(30.0f / 4.0f);
        QCOMPARE(out[2], 3 * scale * 2);
        QCOMPARE(out[3], -4 * scale * 0.5f);
    }

    void f16RowMatchesCodec_data() { kernel_rows(); }
    void f16RowMatchesCodec() {
        // The KV cache's F16 stores: every set rounds exactly like the tensor codec, for random
        // floats across the whole exponent range and the edges (subnormal halves, the 65520
        // overflow boundary, ties, inf, NaN payloads), and for lengths around the vector widths.
        REQUIRE_SET(k);
        std::mt19937 rng(21);
        std::vector<float> x;
        for (uint32_t bits : {0x00000000u, 0x80000000u, 0x7f800000u, 0xff800000u, 0x7fc00000u, 0x7f800001u,
                              0xffc12345u, 0x477fefffu, 0x477ff000u, 0x33000000u, 0x33000001u, 0x387fe000u,
                              0x38800000u, 0x3f801000u, 0x3f803000u, 0x00000001u, 0x7f7fffffu})
            x.push_back([&] { float f; std::memcpy(&f, &bits, 4); return f; }());
        while (x.size() < 4096) {
            const uint32_t bits = static_cast<uint32_t>(rng());
            float f;
            std::memcpy(&f, &bits, 4);
            x.push_back(f);
        }
        for (int64_t n : {int64_t(1), int64_t(7), int64_t(8), int64_t(15), int64_t(17), int64_t(4096)}) {
            std::vector<uint16_t> got(static_cast<size_t>(n) + 1, 0xabcd);
            k->f32_to_f16_row(x.data(), got.data(), n);
            for (int64_t i = 0; i < n; ++i)
                if (got[static_cast<size_t>(i)] != f32_to_f16(x[static_cast<size_t>(i)]))
                    QFAIL(qPrintable(QString("%1: n=%2 x[%3] = %4: 0x%5 vs codec 0x%6").arg(k->name).arg(n).arg(i)
                                         .arg(double(x[static_cast<size_t>(i)]), 0, 'g', 9)
                                         .arg(got[static_cast<size_t>(i)], 4, 16, QChar('0'))
                                         .arg(f32_to_f16(x[static_cast<size_t>(i)]), 4, 16, QChar('0'))));
            QCOMPARE(got[static_cast<size_t>(n)], uint16_t(0xabcd));  // no write past the end
        }
    }

};

QTEST_APPLESS_MAIN(TestFloatKernels)
#include "test_float_kernels.moc"
