// Every kernel set against the scalar reference, integer side: results bit-exact, ternary float
// outputs bit-identical (memcmp); plus the packed layout, dispatch errors, and a tiny self-check
// of the kernel benchmark. The float kernels are in test_float_kernels.cpp.
#include <QtTest>

#include <cmath>
#include <cstring>
#include <functional>
#include <random>
#include <vector>

#include "engine/bench/kernel_bench.h"
#include "engine/kernels/kernel_set.h"
#include "engine/base/error.h"
#include "engine/base/thread_pool.h"
#include "engine/kernel_test_sets.h"

using namespace tern;
using tbtest::kernel_rows;

namespace {

// Matrix with the given trits per row (a generator decides each value).
template <class Gen>
TernaryMatrix make_matrix(int64_t rows, int64_t cols, int64_t group, Gen trit, std::vector<int8_t>* keep = nullptr) {
    TernaryMatrix m = make_ternary_matrix(rows, cols, group);
    std::vector<int8_t> row(static_cast<size_t>(cols));
    if (keep) keep->resize(static_cast<size_t>(rows * cols));
    for (int64_t r = 0; r < rows; ++r) {
        for (int64_t c = 0; c < cols; ++c) row[c] = static_cast<int8_t>(trit(r, c));
        pack_trits_row(row.data(), cols, m.row_codes(r));
        if (keep) std::copy(row.begin(), row.end(), keep->begin() + r * cols);
    }
    return m;
}

TernaryMatrix random_matrix(std::mt19937& rng, int64_t rows, int64_t cols, int64_t group) {
    TernaryMatrix m = make_matrix(rows, cols, group, [&](int64_t, int64_t) { return int(rng() % 3) - 1; });
    std::uniform_real_distribution<float> sd(0.001f, 2.0f);
    for (float& s : m.scales) s = sd(rng);
    return m;
}

// Hand-made activations (any int8 values, including -128 which quantize_acts never makes).
QuantizedActs make_acts(int64_t m, int64_t k, const std::function<int(int64_t, int64_t)>& value) {
    QuantizedActs a;
    a.resize(m, k);
    for (int64_t t = 0; t < m; ++t) {
        a.dequant[t] = 0.5f + 0.25f * static_cast<float>(t);
        for (int64_t b = 0; b < k / 128; ++b) {
            int32_t s = 0;
            for (int64_t i = b * 128; i < (b + 1) * 128; ++i) {
                const int v = value(t, i);
                a.q[t * k + i] = static_cast<int8_t>(v);
                s += v;
            }
            a.block_sums[t * (k / 128) + b] = s;
        }
    }
    return a;
}

QuantizedActs random_acts(std::mt19937& rng, int64_t m, int64_t k) {
    return make_acts(m, k, [&](int64_t, int64_t) { return int(rng() % 256) - 128; });
}

int64_t naive_dot(const std::vector<int8_t>& trits, int64_t row, const int8_t* q, int64_t k) {
    int64_t s = 0;
    for (int64_t i = 0; i < k; ++i) s += int64_t(trits[row * k + i]) * q[i];
    return s;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

void check_gemm_identical(const KernelSet& k, const TernaryMatrix& w, const QuantizedActs& x, const char* what) {
    const KernelSet& s = *scalar_kernels();
    // Sentinel-filled outputs with a wider stride catch stray writes.
    const int64_t ldy = w.rows + 3;
    std::vector<float> ys(static_cast<size_t>(x.rows * ldy), -7.0f), yk = ys;
    s.ternary_gemm(w, 0, w.rows, x, ys.data(), ldy);
    k.ternary_gemm(w, 0, w.rows, x, yk.data(), ldy);
    if (!same_bits(ys, yk)) {
        for (size_t i = 0; i < ys.size(); ++i)
            if (std::memcmp(&ys[i], &yk[i], 4) != 0)
                QFAIL(qPrintable(QString("%1: %2 N=%3 K=%4 M=%5 group=%6: y[%7] scalar %8 vs %9")
                                     .arg(k.name).arg(what).arg(w.rows).arg(w.cols).arg(x.rows)
                                     .arg(w.group_size).arg(i).arg(ys[i], 0, 'g', 9).arg(yk[i], 0, 'g', 9)));
    }
    // The rows in two uneven parts, as threads take them (the stream paths cut each part in
    // four far-apart streams, so the cut moves every stream).
    if (w.rows >= 2) {
        const int64_t cut = w.rows / 3 + 1;
        std::vector<float> yp(ys.size(), -7.0f);
        k.ternary_gemm(w, 0, cut, x, yp.data(), ldy);
        k.ternary_gemm(w, cut, w.rows, x, yp.data(), ldy);
        if (!same_bits(ys, yp))
            QFAIL(qPrintable(QString("%1: %2 N=%3 K=%4 M=%5 group=%6: rows cut at %7 differ from scalar")
                                 .arg(k.name).arg(what).arg(w.rows).arg(w.cols).arg(x.rows).arg(w.group_size).arg(cut)));
    }
}

}  // namespace

class TestKernels : public QObject {
    Q_OBJECT
private slots:
    // ---- layout, shapes, dispatch -----------------------------------------------------------
    void packUnpackRoundTrip() {
        std::mt19937 rng(7);
        for (int64_t cols : {128, 256, 640}) {
            std::vector<int8_t> t(static_cast<size_t>(cols)), back(t.size());
            for (auto& v : t) v = static_cast<int8_t>(int(rng() % 3) - 1);
            std::vector<uint8_t> packed(static_cast<size_t>(cols / 4));
            pack_trits_row(t.data(), cols, packed.data());
            unpack_row(packed.data(), cols, back.data());
            QCOMPARE(back, t);
            for (uint8_t b : packed) QVERIFY((b & 3) != 3 && ((b >> 2) & 3) != 3 && ((b >> 4) & 3) != 3 && (b >> 6) != 3);
        }
        // The documented bit positions: byte j holds weights j, j+32, j+64, j+96.
        std::vector<int8_t> t(128, -1);
        t[5] = 1;    // byte 5 bits 1:0 -> code 2
        t[37] = 0;   // byte 5 bits 3:2 -> code 1
        t[101] = 1;  // byte 5 bits 7:6 -> code 2
        std::vector<uint8_t> packed(32);
        pack_trits_row(t.data(), 128, packed.data());
        QCOMPARE(int(packed[5]), 2 | (1 << 2) | (0 << 4) | (2 << 6));
        QCOMPARE(int(packed[0]), 0);
    }

    void badShapesAndValues() {
        QVERIFY_THROWS_EXCEPTION(Error, make_ternary_matrix(2, 100, 0));
        QVERIFY_THROWS_EXCEPTION(Error, make_ternary_matrix(2, 256, 192));
        QVERIFY_THROWS_EXCEPTION(Error, make_ternary_matrix(2, 384, 256));
        const TernaryMatrix m = make_ternary_matrix(3, 384, 0);
        QCOMPARE(m.group_size, int64_t(384));
        QCOMPARE(m.scales.size(), size_t(3));
        std::vector<int8_t> t(128, 0);
        t[9] = 2;
        std::vector<uint8_t> out(32);
        QVERIFY_THROWS_EXCEPTION(Error, pack_trits_row(t.data(), 128, out.data()));
        QuantizedActs a;
        QVERIFY_THROWS_EXCEPTION(Error, a.resize(1, 100));
        // Shrinking keeps the buffer, growing past it reallocates: every byte stays writable.
        for (auto [m, k] : {std::pair<int64_t, int64_t>{1, 256}, {2, 128}, {1, 512}, {3, 384}}) {
            a.resize(m, k);
            QCOMPARE(a.rows, m);
            QCOMPARE(a.block_sums.size(), size_t(m * k / 128));
            QVERIFY(a.capacity >= m * k);
            std::memset(a.q.get(), 1, static_cast<size_t>(m * k));
        }
    }

    void alignedBlocks() {
        // 64-byte aligned; big weight blocks (huge-page candidates) on 2 MiB; every byte writable.
        for (Pages pages : {Pages::Small, Pages::Huge})
            for (size_t bytes : {size_t(1), size_t(100), size_t(4096), (size_t(2) << 20) - 1, size_t(2) << 20,
                                 (size_t(5) << 20) + 3}) {
                AlignedPtr<uint8_t> p = make_aligned<uint8_t>(bytes, pages);
                QVERIFY(p);
                const bool huge = pages == Pages::Huge && bytes >= (size_t(2) << 20);
                QCOMPARE(reinterpret_cast<uintptr_t>(p.get()) % (huge ? (size_t(2) << 20) : 64), uintptr_t(0));
                std::memset(p.get(), 0xA5, bytes);
                QCOMPARE(int(p[bytes - 1]), 0xA5);
            }
        // A count whose byte size does not fit in size_t is refused, not wrapped to a tiny block.
        QVERIFY(!make_aligned<float>(size_t(-1) / 2));
        QVERIFY(!aligned_bytes(size_t(-1) - 10, Pages::Huge));
    }

    void dispatch() {
        const auto avail = available_kernels();
        QVERIFY(!avail.empty());
        QCOMPARE(QString(avail.back()->name), QString("scalar"));
        QCOMPARE(QString(select_kernels("scalar").name), QString("scalar"));
        qunsetenv("TERNBENCH_KERNEL");
        QCOMPARE(&select_kernels("auto"), avail.front());
        qputenv("TERNBENCH_KERNEL", "scalar");
        QCOMPARE(QString(select_kernels("auto").name), QString("scalar"));
        qunsetenv("TERNBENCH_KERNEL");
        try {
            select_kernels("sse9");
            QFAIL("unknown kernel accepted");
        } catch (const Error& e) {
            const QString msg = e.what();
            QVERIFY2(msg.contains("sse9") && msg.contains("scalar") && msg.contains("auto"), e.what());
        }
        const CpuFeatures& f = cpu_features();
        if (f.avx2 && f.fma && f.f16c && f.bmi2 && avx2_kernels())
            QCOMPARE(QString(select_kernels("avx2").name), QString("avx2"));
        if (!f.avx512f) QVERIFY_THROWS_EXCEPTION(Error, select_kernels("avx512"));
        // Every set handed out runs on this CPU: each extension it is compiled with is present.
        for (const KernelSet* k : usable_kernel_variants()) QVERIFY2(cpu_supports_isa(f, k->isa), k->isa);
        for (const KernelSet* k : avail) QVERIFY(cpu_supports_isa(f, k->isa));
    }

    // The isa lists come from the build's -m flags; a name dispatch does not know, or an
    // extension the CPU lacks, makes the set unusable instead of crashing later.
    void isaListsAreChecked() {
        CpuFeatures none;
        QVERIFY(cpu_supports_isa(none, ""));
        QVERIFY(!cpu_supports_isa(none, "avx2"));
        CpuFeatures f;
        f.avx2 = f.fma = f.f16c = true;
        QVERIFY(cpu_supports_isa(f, "avx2,fma,f16c"));
        QVERIFY2(!cpu_supports_isa(f, "avx2,fma,f16c,bmi2"), "BMI2 missing must count");
        f.bmi2 = true;
        QVERIFY(cpu_supports_isa(f, avx2_kernels() ? avx2_kernels()->isa : "avx2,fma,f16c,bmi2"));
        f.avx512f = f.avx512bw = f.avx512vl = true;
        QVERIFY2(!cpu_supports_isa(f, "avx512f,avx512bw,avx512vl,avx512dq"), "DQ missing must count");
        f.avx512dq = true;
        if (avx512_kernels()) QVERIFY(cpu_supports_isa(f, avx512_kernels()->isa));
        if (avx512_vnni_kernels()) QVERIFY(!cpu_supports_isa(f, avx512_vnni_kernels()->isa));
        QVERIFY(!cpu_supports_isa(f, "avx2,sse9"));
        QVERIFY(!cpu_supports_isa(f, "amx-tile,amx-int8"));
        for (const KernelSet* k : {avx2_kernels(), avx512_kernels(), avx512_vnni_kernels()})
            if (k) QVERIFY2(QString(k->isa).contains("avx2"), k->isa);  // set from the build's flags
        // The AVX-512 sets call AVX2-set operations (per-operation choice), so their isa lists
        // must cover the AVX2 file's.
        for (const KernelSet* k : {avx512_kernels(), avx512_vnni_kernels()})
            if (k && avx2_kernels())
                for (const QString& ext : QString(avx2_kernels()->isa).split(','))
                    QVERIFY2(QString(k->isa).split(',').contains(ext), qPrintable(ext));
    }

    // ---- scalar reference against naive integer math ----------------------------------------
    void scalarMatchesNaive() {
        std::mt19937 rng(11);
        const KernelSet& s = *scalar_kernels();
        std::vector<int8_t> trits;
        const int64_t n = 5, k = 640;
        TernaryMatrix w = make_matrix(n, k, 128, [&](int64_t, int64_t) { return int(rng() % 3) - 1; }, &trits);
        for (float& v : w.scales) v = float(rng() % 100 + 1) / 64.0f;  // exact binary fractions
        const QuantizedActs x = random_acts(rng, 2, k);
        for (int64_t r = 0; r < n; ++r)
            QCOMPARE(int64_t(s.ternary_dot_i32(w.row_codes(r), x.row(0), k)), naive_dot(trits, r, x.row(0), k));
        std::vector<float> y(2 * n);
        s.ternary_gemm(w, 0, n, x, y.data(), n);
        for (int64_t t = 0; t < 2; ++t)
            for (int64_t r = 0; r < n; ++r) {
                float sum = 0;
                for (int64_t g = 0; g < k / 128; ++g) {
                    int64_t acc = 0;
                    for (int64_t i = g * 128; i < (g + 1) * 128; ++i) acc += int64_t(trits[r * k + i]) * x.q[t * k + i];
                    const float part = float(acc) * w.scales[r * 5 + g];
                    sum += part;
                }
                QCOMPARE(y[t * n + r], sum * x.dequant[t]);
            }
    }

    void scalarQuantizeRounding() {
        // absmax 127 makes s exactly 1: x*s is x, so the ties are exact.
        std::vector<float> x(128, 0.0f);
        const float ties[] = {127.0f, 2.5f, 3.5f, -2.5f, -3.5f, 0.5f, -0.5f, 1.5f, 126.5f, -126.5f, 0.49999997f};
        const int expect[] = {127, 2, 4, -2, -4, 0, 0, 2, 126, -126, 0};
        for (size_t i = 0; i < std::size(ties); ++i) x[i] = ties[i];
        QuantizedActs a;
        scalar_kernels()->quantize_acts(x.data(), 1, 128, 128, a);
        QCOMPARE(a.dequant[0], 1.0f);
        int32_t sum = 0;
        for (size_t i = 0; i < std::size(ties); ++i) {
            QCOMPARE(int(a.q[i]), expect[i]);
            sum += expect[i];
        }
        QCOMPARE(a.block_sums[0], sum);
        // All zeros: s = 127/1e-5, every q is 0.
        std::vector<float> z(256, 0.0f);
        scalar_kernels()->quantize_acts(z.data(), 1, 256, 256, a);
        QCOMPARE(a.dequant[0], 1.0f / (127.0f / 1e-5f));
        for (int i = 0; i < 256; ++i) QCOMPARE(int(a.q[i]), 0);
    }

    // ---- every SIMD set against scalar ------------------------------------------------------
    void ternaryDot_data() { kernel_rows(); }
    void ternaryDot() {
        REQUIRE_SET(k);
        const KernelSet& s = *scalar_kernels();
        std::mt19937 rng(3);
        struct Case { const char* name; int trit; int q; };
        // Adversarial: largest products of one sign everywhere (int16 partial sums would overflow).
        const Case adversarial[] = {{"-1 x -128", -1, -128}, {"+1 x +127", 1, 127}, {"+1 x -128", 1, -128},
                                    {"-1 x +127", -1, 127}, {"0 x -128", 0, -128}};
        for (int64_t kk : {128, 384, 640, 2048, 16384}) {
            for (const Case& c : adversarial) {
                std::vector<int8_t> trits;
                const TernaryMatrix w = make_matrix(1, kk, kk, [&](int64_t, int64_t) { return c.trit; }, &trits);
                const QuantizedActs x = make_acts(1, kk, [&](int64_t, int64_t) { return c.q; });
                const int64_t want = naive_dot(trits, 0, x.row(0), kk);
                QCOMPARE(int64_t(s.ternary_dot_i32(w.row_codes(0), x.row(0), kk)), want);
                QVERIFY2(int64_t(k->ternary_dot_i32(w.row_codes(0), x.row(0), kk)) == want,
                         qPrintable(QString("%1 K=%2 %3").arg(k->name).arg(kk).arg(c.name)));
            }
            for (int rep = 0; rep < 4; ++rep) {
                std::vector<int8_t> trits;
                const TernaryMatrix w = make_matrix(1, kk, kk, [&](int64_t, int64_t) { return int(rng() % 3) - 1; }, &trits);
                const QuantizedActs x = random_acts(rng, 1, kk);
                const int64_t want = naive_dot(trits, 0, x.row(0), kk);
                QCOMPARE(int64_t(k->ternary_dot_i32(w.row_codes(0), x.row(0), kk)), want);
                QCOMPARE(int64_t(s.ternary_dot_i32(w.row_codes(0), x.row(0), kk)), want);
            }
        }
    }

    void ternaryGemmRandom_data() { kernel_rows(); }
    void ternaryGemmRandom() {
        REQUIRE_SET(k);
        std::mt19937 rng(5);
        // M = 4, 8, 12: whole 4-token tiles of the batched GEMM; 2, 3, 7, 16: with partial ones.
        // K = 1024, 2560: groups of whole block pairs (the VNNI register path); 384, 640 not.
        for (int64_t n : {1, 3, 4, 5, 7, 9, 17})
            for (int64_t kk : {128, 384, 640, 1024, 2560})
                for (int64_t m : {1, 2, 3, 4, 7, 8, 12, 16}) {
                    const QuantizedActs x = random_acts(rng, m, kk);
                    for (int64_t group : {kk, int64_t(128), int64_t(256), int64_t(512)}) {
                        if (kk % group != 0) continue;
                        check_gemm_identical(*k, random_matrix(rng, n, kk, group), x, "random");
                    }
                }
        // ffn_down's K: rows longer than one L1 chunk of the batched GEMMs, groups that are not
        // chunk multiples (1408 = 11 blocks) and ones spanning several chunks.
        for (int64_t m : {2, 9}) {
            const QuantizedActs x = random_acts(rng, m, 5632);
            for (int64_t group : {5632, 2816, 1408})
                check_gemm_identical(*k, random_matrix(rng, 6, 5632, group), x, "k5632");
        }
        // Several token blocks of the batched GEMMs (the AVX2 set's block is 256 KiB / K = 32
        // tokens at K = 8192) with an odd last one, and a row range of a 48-row output panel
        // plus 6-, 4- and 1-row tiles.
        {
            const QuantizedActs x = random_acts(rng, 69, 8192);
            for (int64_t group : {8192, 1024})
                check_gemm_identical(*k, random_matrix(rng, 53, 8192, group), x, "token blocks");
        }
        // Several row blocks of the VNNI prefill order (128 KiB of codes = 64 rows at K = 8192,
        // taken for blocks of 16 tokens and more), a last short block, leftover rows and tokens.
        {
            const QuantizedActs x = random_acts(rng, 19, 8192);
            for (int64_t group : {8192, 1024})
                check_gemm_identical(*k, random_matrix(rng, 150, 8192, group), x, "row blocks");
        }
        // Real activations from the set's own quantizer (identical to scalar's, tested below).
        std::normal_distribution<float> nd(0.0f, 2.0f);
        std::vector<float> xf(16 * 2048);
        for (float& v : xf) v = nd(rng);
        QuantizedActs xq;
        k->quantize_acts(xf.data(), 16, 2048, 2048, xq);
        for (int64_t m : {1, 16}) {
            QuantizedActs sub;
            k->quantize_acts(xf.data(), m, 2048, 2048, sub);
            check_gemm_identical(*k, random_matrix(rng, 37, 2048, 256), sub, "quantized");
            check_gemm_identical(*k, random_matrix(rng, 37, 2048, 2048), sub, "quantized");
        }
    }

    void ternaryGemmAdversarial_data() { kernel_rows(); }
    void ternaryGemmAdversarial() {
        REQUIRE_SET(k);
        for (int64_t m : {1, 3, 8}) {
            const int64_t kk = 16384;
            const TernaryMatrix neg = make_matrix(5, kk, kk, [](int64_t, int64_t) { return -1; });
            const QuantizedActs low = make_acts(m, kk, [](int64_t, int64_t) { return -128; });
            check_gemm_identical(*k, neg, low, "all -1 x -128");
            const TernaryMatrix pos = make_matrix(6, kk, 2048, [](int64_t, int64_t) { return 1; });
            const QuantizedActs high = make_acts(m, kk, [](int64_t, int64_t) { return 127; });
            check_gemm_identical(*k, pos, high, "all +1 x +127");
            // Exact value: acc = K*128 with scale 0 ... set scales to 1 and check the number.
            TernaryMatrix one = make_matrix(1, kk, kk, [](int64_t, int64_t) { return -1; });
            one.scales[0] = 1.0f;
            std::vector<float> y(static_cast<size_t>(m));
            k->ternary_gemm(one, 0, 1, low, y.data(), 1);
            for (int64_t t = 0; t < m; ++t) QCOMPARE(y[t], float(kk * 128) * low.dequant[t]);
        }
    }

    void ternaryGemmSplitRows_data() { kernel_rows(); }
    void ternaryGemmSplitRows() {
        // One vs many threads: any split of the output rows gives the same bits.
        REQUIRE_SET(k);
        std::mt19937 rng(9);
        // K = 640 in groups of 128 (no whole block pairs) and K = 1024 in groups of 256 (the
        // VNNI path that lays out the activations once per thread).
        for (auto [kk, group] : {std::pair<int64_t, int64_t>{640, 128}, {1024, 256}})
        for (int64_t m : {1, 5}) {
            const TernaryMatrix w = random_matrix(rng, 61, kk, group);
            const QuantizedActs x = random_acts(rng, m, kk);
            std::vector<float> whole(static_cast<size_t>(m * 61)), split(whole.size());
            k->ternary_gemm(w, 0, 61, x, whole.data(), 61);
            for (int threads : {2, 3}) {
                ThreadPool pool(threads);
                std::fill(split.begin(), split.end(), 0.0f);
                pool.parallel_for(61, 1, [&](int64_t b, int64_t e) { k->ternary_gemm(w, b, e, x, split.data(), 61); });
                QVERIFY(same_bits(whole, split));
            }
            // Odd manual split too (tiles starting at unaligned rows).
            std::fill(split.begin(), split.end(), 0.0f);
            k->ternary_gemm(w, 0, 7, x, split.data(), 61);
            k->ternary_gemm(w, 7, 30, x, split.data(), 61);
            k->ternary_gemm(w, 30, 61, x, split.data(), 61);
            QVERIFY(same_bits(whole, split));
        }
    }

    void ternaryGemmReusedActs_data() { kernel_rows(); }
    void ternaryGemmReusedActs() {
        // One activation buffer quantized again with other values, as every layer does: a
        // product must never see the previous contents (the VNNI path caches a layout of them).
        REQUIRE_SET(k);
        std::mt19937 rng(13);
        std::normal_distribution<float> nd(0.0f, 1.5f);
        const TernaryMatrix w = random_matrix(rng, 29, 1024, 512);
        ThreadPool pool(2);
        QuantizedActs x;
        for (int round = 0; round < 6; ++round) {
            // Same shape twice, then smaller ones in place (down to decode's single token).
            const int64_t m = round < 2 ? 6 : round < 4 ? 3 : 1;
            std::vector<float> xf(static_cast<size_t>(m * 1024));
            for (float& v : xf) v = nd(rng);
            k->quantize_acts(xf.data(), m, 1024, 1024, x);
            check_gemm_identical(*k, w, x, "re-quantized");
            std::vector<float> whole(static_cast<size_t>(m * 29)), split(whole.size());
            scalar_kernels()->ternary_gemm(w, 0, 29, x, whole.data(), 29);
            pool.parallel_for(29, 4, [&](int64_t b, int64_t e) { k->ternary_gemm(w, b, e, x, split.data(), 29); });
            QVERIFY(same_bits(whole, split));
        }
    }

    // ---- kernel benchmark self-check (CLI independent) --------------------------------------
    void benchSelfCheck() {
        KernelBenchOptions opt;
        opt.shapes = {{256, 512, 1}, {128, 256, 4}, {128, 256, 16}};
        for (const KernelSet* k : available_kernels()) opt.kernels.push_back(k->name);
        opt.threads = 1;
        opt.repetitions = 2;
        opt.min_weight_bytes = 1 << 20;  // keep the test quick
        opt.min_repetition_seconds = 0.02;
        int reported = 0;
        opt.on_result = [&](const KernelBenchResult&) { ++reported; };
        const auto results = run_kernel_bench(opt);
        QCOMPARE(results.size(), opt.shapes.size() * opt.kernels.size());
        QCOMPARE(reported, int(results.size()));
        // Shape by shape, the sets in the order asked (they take turns inside a shape).
        for (size_t i = 0; i < results.size(); ++i) {
            const KernelShape& s = opt.shapes[i / opt.kernels.size()];
            QCOMPARE(results[i].kernel, opt.kernels[i % opt.kernels.size()]);
            QCOMPARE(results[i].n, s.n);
            QCOMPARE(results[i].m, s.m);
            QCOMPARE(results[i].repetitions, opt.repetitions);
            QVERIFY(results[i].min_seconds <= results[i].median_seconds);
        }
        for (const KernelBenchResult& r : results) {
            QVERIFY(std::isfinite(r.median_seconds) && r.median_seconds > 0);
            QVERIFY(std::isfinite(r.gops) && r.gops > 0);
            QVERIFY(std::isfinite(r.weight_gbs) && r.weight_gbs > 0);
            QCOMPARE(r.weight_bytes, r.n * r.k / 4 + r.n * 4);  // codes + one scale per row
            // Decode shapes sweep every copy of the matrix per repetition (here 1 MiB of them);
            // a 128 x 256 x 16 product takes microseconds, so it is repeated to fill 20 ms.
            const int64_t copies = ((1 << 20) + r.weight_bytes - 1) / r.weight_bytes;
            if (r.m <= 8) QCOMPARE(r.products_per_repetition, copies);
            else QVERIFY2(r.products_per_repetition > 1, r.kernel.c_str());
        }
        const double bw = measure_read_bandwidth_gbs(1, size_t(8) << 20, 2);
        QVERIFY(std::isfinite(bw) && bw > 0);
        // The int8 compute roofs: one positive peak per instruction family of the usable sets
        // (at least the AVX2 pair where AVX2 exists), none on a scalar-only machine.
        const auto roofs = measure_compute_roofs(1, 0.02);
        QCOMPARE(roofs.size(), roof_probes().size());
        for (const RoofPeak& r : roofs) QVERIFY2(std::isfinite(r.gops) && r.gops > 0, r.family.c_str());
        const double peak = measure_int8_peak_gops(1, 0.02);
        QVERIFY(std::isfinite(peak));
        QCOMPARE(peak > 0, available_kernels().size() > 1);
        QVERIFY_THROWS_EXCEPTION(Error, measure_int8_peak_gops(0));
        // Every kernel's family (what its % is measured against) has a probe here.
        for (const KernelBenchResult& r : results)
            if (!r.family.empty())
                QVERIFY2(std::any_of(roofs.begin(), roofs.end(), [&](const RoofPeak& p) { return p.family == r.family; }),
                         r.family.c_str());
        KernelBenchOptions bad = opt;
        bad.shapes = {{10, 100, 1}};
        QVERIFY_THROWS_EXCEPTION(Error, run_kernel_bench(bad));
    }
};

QTEST_APPLESS_MAIN(TestKernels)
#include "test_kernels.moc"
