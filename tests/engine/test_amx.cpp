// The AMX-INT8 ternary GEMM: the emulated tile instructions follow their definition, the GEMM
// over emulated tiles (the same packing and tiling code as the hardware path) equals the scalar
// reference bit for bit for sizes that are not multiples of the tile shapes, any row split and
// many threads; the hardware path is compared the same way where the CPU has AMX (a visible
// skip elsewhere: not yet run on hardware).
#include <QtTest>

#include <cstring>
#include <random>
#include <vector>

#include "engine/base/error.h"
#include "engine/base/thread_pool.h"
#include "engine/kernels/amx.h"
#include "engine/kernels/amx_gemm.h"
#include "engine/kernels/kernel_set.h"

using namespace tern;

namespace {

template <class Gen>
TernaryMatrix make_matrix(int64_t rows, int64_t cols, int64_t group, Gen trit) {
    TernaryMatrix m = make_ternary_matrix(rows, cols, group);
    std::vector<int8_t> row(static_cast<size_t>(cols));
    for (int64_t r = 0; r < rows; ++r) {
        for (int64_t c = 0; c < cols; ++c) row[static_cast<size_t>(c)] = static_cast<int8_t>(trit(r, c));
        pack_trits_row(row.data(), cols, m.row_codes(r));
    }
    return m;
}

template <class Gen>
QuantizedActs make_acts(int64_t m, int64_t k, Gen value) {
    QuantizedActs a;
    a.resize(m, k);
    for (int64_t t = 0; t < m; ++t) {
        a.dequant[static_cast<size_t>(t)] = 0.5f + 0.25f * static_cast<float>(t);
        for (int64_t b = 0; b < k / 128; ++b) {
            int32_t s = 0;
            for (int64_t i = b * 128; i < (b + 1) * 128; ++i) {
                const int v = value(t, i);
                a.q[t * k + i] = static_cast<int8_t>(v);
                s += v;
            }
            a.block_sums[static_cast<size_t>(t * (k / 128) + b)] = s;
        }
    }
    return a;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

using Gemm = void (*)(const TernaryMatrix&, int64_t, int64_t, const QuantizedActs&, float*, int64_t);

// Compares `gemm` with the scalar set on one case: whole range, an uneven split, and the rows
// spread over a pool of three threads in chunks of 5.
void check_case(Gemm gemm, const TernaryMatrix& w, const QuantizedActs& x, const QString& what) {
    const int64_t ldy = w.rows + 3;  // a wider stride and sentinels catch stray writes
    std::vector<float> ref(static_cast<size_t>(x.rows * ldy), -7.0f), got = ref, split = ref, pooled = ref;
    scalar_kernels()->ternary_gemm(w, 0, w.rows, x, ref.data(), ldy);
    gemm(w, 0, w.rows, x, got.data(), ldy);
    QVERIFY2(same_bits(ref, got), qPrintable(what + ": whole range differs from scalar"));
    const int64_t cut = std::min<int64_t>(w.rows, 7);
    gemm(w, 0, cut, x, split.data(), ldy);
    gemm(w, cut, w.rows, x, split.data(), ldy);
    QVERIFY2(same_bits(ref, split), qPrintable(what + ": split at row 7 differs"));
    ThreadPool pool(3);
    pool.parallel_for(w.rows, 5, [&](int64_t b, int64_t e) { gemm(w, b, e, x, pooled.data(), ldy); });
    QVERIFY2(same_bits(ref, pooled), qPrintable(what + ": three threads differ"));
}

void check_gemm(Gemm gemm, const std::vector<int64_t>& token_counts) {
    std::mt19937 rng(12);
    struct Shape { int64_t n, k, group; };
    // N not a multiple of 16 or 32, K/64 odd and even, one group per row and several.
    const Shape shapes[] = {{1, 128, 128}, {17, 256, 128}, {33, 384, 384}, {40, 640, 128}, {70, 128, 128}};
    for (const Shape& s : shapes)
        for (int64_t m : token_counts) {
            const TernaryMatrix w = make_matrix(s.n, s.k, s.group, [&](int64_t, int64_t) { return int(rng() % 3) - 1; });
            TernaryMatrix wr = make_matrix(s.n, s.k, s.group, [&](int64_t, int64_t) { return int(rng() % 3) - 1; });
            std::uniform_real_distribution<float> sd(0.001f, 2.0f);
            for (float& v : wr.scales) v = sd(rng);
            const QuantizedActs x = make_acts(m, s.k, [&](int64_t, int64_t) { return int(rng() % 256) - 128; });
            check_case(gemm, wr, x, QString("random N=%1 K=%2 group=%3 M=%4").arg(s.n).arg(s.k).arg(s.group).arg(m));
            // Adversarial: every product at its extreme (all -1 trits x -128), and alternating signs.
            TernaryMatrix neg = make_matrix(s.n, s.k, s.group, [](int64_t, int64_t) { return -1; });
            for (float& v : neg.scales) v = 1.0f;
            const QuantizedActs lo = make_acts(m, s.k, [](int64_t, int64_t) { return -128; });
            check_case(gemm, neg, lo, QString("extreme N=%1 K=%2 M=%3").arg(s.n).arg(s.k).arg(m));
            TernaryMatrix alt = make_matrix(s.n, s.k, s.group, [](int64_t r, int64_t c) { return (r + c) % 2 ? 1 : -1; });
            for (float& v : alt.scales) v = 0.75f;
            const QuantizedActs hi = make_acts(m, s.k, [](int64_t t, int64_t c) { return (t + c) % 3 ? 127 : -128; });
            check_case(gemm, alt, hi, QString("alternating N=%1 K=%2 M=%3").arg(s.n).arg(s.k).arg(m));
            (void)w;
        }
}

}  // namespace

class TestAmx : public QObject {
    Q_OBJECT
private slots:
    // TDPBSSD: signed bytes, dot products of four, added to int32 (wrapping), per the
    // instruction's definition; extreme values included.
    void emulatedTdpbssdFollowsTheDefinition() {
        std::mt19937 rng(3);
        for (int round = 0; round < 20; ++round) {
            const int rows = 1 + int(rng() % 16), n_cols = 1 + int(rng() % 16), colsb = 4 * (1 + int(rng() % 16));
            std::vector<int8_t> a(16 * 64), b(16 * 64);
            for (auto& v : a) v = round == 0 ? int8_t(-128) : static_cast<int8_t>(rng());
            for (auto& v : b) v = round == 0 ? int8_t(-128) : static_cast<int8_t>(rng());
            std::vector<int32_t> c(static_cast<size_t>(rows * n_cols));
            for (auto& v : c) v = static_cast<int32_t>(rng() % 2000) - 1000;
            std::vector<int64_t> want(c.begin(), c.end());
            for (int m = 0; m < rows; ++m)
                for (int n = 0; n < n_cols; ++n)
                    for (int kk = 0; kk < colsb; ++kk)
                        want[static_cast<size_t>(m * n_cols + n)] += int64_t(a[static_cast<size_t>(m * 64 + kk)]) *
                                                                      b[static_cast<size_t>((kk / 4) * 64 + 4 * n + kk % 4)];
            amx_tdpbssd_emulated(c.data(), a.data(), b.data(), rows, n_cols, colsb);
            for (size_t i = 0; i < c.size(); ++i) QCOMPARE(int64_t(c[i]), want[i]);
        }
    }

    // The packing and tiling code of the hardware path, over emulated tiles.
    void emulatedGemmEqualsScalar() { check_gemm(amx_ternary_gemm_emulated, {1, 15, 16, 17, 33, 50}); }

    // The hardware path packs its B panels with AVX-512 (amx_pack.cpp): byte for byte the scalar
    // layout the emulation uses, for partial panels (rows past the end zero), K/64 odd and even,
    // extreme and random trits; the whole buffer is written (no stale bytes from before).
    void simdPanelPackingEqualsScalar() {
        // avx512_kernels() is the compiled table, there on any CPU: ask whether this one runs it
        // (with the OS's XCR0 state; the packer is compiled with the same extensions).
        if (!avx512_kernels() || !cpu_supports_isa(cpu_features(), avx512_kernels()->isa))
            QSKIP(qPrintable(QString("the AVX-512 panel packing needs AVX-512 F/BW, which this CPU (%1) lacks")
                                 .arg(QString::fromStdString(cpu_features().brand))));
        std::mt19937 rng(21);
        for (int64_t k : {128, 384, 640, 2048})
            for (int rows : {1, 7, 16, 17, 31, 32})
                for (int kind = 0; kind < 3; ++kind) {
                    const TernaryMatrix w = make_matrix(40, k, k, [&](int64_t r, int64_t c) {
                        return kind == 0 ? int(rng() % 3) - 1 : kind == 1 ? -1 : ((r * 7 + c) % 3) - 1;
                    });
                    const size_t bytes = static_cast<size_t>(k / 64 * 2 * amx::kTileRows * amx::kTileBytes);
                    AlignedPtr<int8_t> want = make_aligned<int8_t>(bytes), got = make_aligned<int8_t>(bytes);
                    AlignedPtr<int8_t> trits = make_aligned<int8_t>(static_cast<size_t>(k));
                    std::memset(got.get(), 0x5A, bytes);
                    const int64_t n = 40 - rows;  // the last rows of the matrix
                    amx::pack_panel(w, n, rows, want.get(), trits.get());
                    amx_pack_panel_avx512(w, n, rows, got.get());
                    QVERIFY2(std::memcmp(want.get(), got.get(), bytes) == 0,
                             qPrintable(QString("K=%1 rows=%2 kind %3").arg(k).arg(rows).arg(kind)));
                }
    }

    void hardwareGemmEqualsScalar() {
        const KernelSet* amx = nullptr;
        for (const KernelSet* k : available_kernels())
            if (std::string_view(k->name) == "amx") amx = k;
        if (!amx)
            QSKIP(qPrintable(QString("AMX tile path not yet run on hardware here: AMX %1 (CPU: %2); the emulated "
                                     "tiles above test its packing and tiling")
                                 .arg(amx_status(), QString::fromStdString(cpu_features().brand))));
        check_gemm(amx->ternary_gemm, {1, 8, 16, 17, 33, 50});  // below 16 tokens: the VNNI kernel
    }

    // Dispatch offers "amx" exactly when the CPU has AMX-TILE and AMX-INT8, XCR0 enables the
    // tile state and Linux granted it; otherwise asking for it names the reason.
    void dispatchNeedsTheGrantedTileState() {
        const CpuFeatures& f = cpu_features();
        bool listed = false;
        for (const KernelSet* k : available_kernels()) listed |= std::string_view(k->name) == "amx";
        QCOMPARE(listed, amx_parts() && f.amx_tile && f.amx_int8 && f.avx512vnni && amx_tiles_granted());
        if (!(f.amx_tile && f.amx_int8)) {
            QVERIFY(!amx_tiles_granted());
            QCOMPARE(QString(amx_status()), QString("not on this CPU"));
        }
        if (!listed) {
            try {
                select_kernels("amx");
                QFAIL("amx handed out where it is not usable");
            } catch (const Error& e) {
                QVERIFY2(QString(e.what()).contains("AMX: "), e.what());
            }
        }
        // The composed set's isa covers the AMX flags, so the check above is the compiled one.
        if (const KernelSet* k = amx_kernels()) {
            QVERIFY(QString(k->isa).split(',').contains("amx-int8"));
            QVERIFY(QString(k->isa).split(',').contains("avx512vnni"));
            QCOMPARE(QString(k->big_gemm_family), QString("amx_int8"));
        }
    }
};

QTEST_APPLESS_MAIN(TestAmx)
#include "test_amx.moc"
