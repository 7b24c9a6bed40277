// Ground truth for the ternary and embedding codecs: the fixture files hold the SAME ternary
// weights in different storage (F32/F16 reference, TQ2_0, TQ1_0, I2_S), so unpacking each
// ternary tensor must reproduce the float tensor exactly, and packing the unpacked trits must
// give back the file's bytes.
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "engine/base/error.h"
#include "engine/tensor/float_codecs.h"
#include "engine/tensor/ternary_codecs.h"

using namespace tern;

namespace {

std::string fixture(const char* name) { return std::string(TB_FIXTURES_DIR) + "/" + name; }
std::string shared_fixture(const char* name) {
    return std::string(TB_SHARED_FIXTURES_DIR) + "/" + name;
}

bool is_ternary(uint32_t t) {
    return t == uint32_t(GgmlType::TQ1_0) || t == uint32_t(GgmlType::TQ2_0) ||
           t == uint32_t(GgmlType::I2_S);
}

// The whole tensor as floats through the float codecs (reference files: F32/F16).
std::vector<float> float_tensor(const GgufFile& f, const GgufTensorInfo& t) {
    std::vector<float> out(static_cast<size_t>(t.n_elements()));
    dequantize_row(t.type_id, f.tensor_bytes(t).data(), t.n_elements(), out.data());
    return out;
}

struct Unpacked {
    std::vector<int8_t> trits;
    std::vector<float> scale;  // one per weight, for a direct comparison
};

Unpacked unpack_tensor(const GgufFile& f, const GgufTensorInfo& t) {
    const int64_t cols = t.ne[0], rows = t.n_elements() / cols;
    const uint8_t* base = f.tensor_bytes(t).data();
    Unpacked u;
    u.trits.resize(size_t(rows * cols));
    u.scale.resize(size_t(rows * cols));
    std::vector<float> bs(size_t(cols / 256 + 1));
    for (int64_t r = 0; r < rows; ++r) {
        int8_t* tr = u.trits.data() + r * cols;
        float* sc = u.scale.data() + r * cols;
        if (t.type_id == uint32_t(GgmlType::TQ2_0)) {
            tq2_0_unpack_row(base + r * (cols / 256) * 66, cols, tr, bs.data());
        } else if (t.type_id == uint32_t(GgmlType::TQ1_0)) {
            tq1_0_unpack_row(base + r * (cols / 256) * 54, cols, tr, bs.data());
        } else {
            i2_s_unpack_row(base, r, cols, tr);
            const float s = i2_s_scale(base, rows, cols);
            for (int64_t c = 0; c < cols; ++c) sc[c] = s;
            continue;
        }
        for (int64_t c = 0; c < cols; ++c) sc[c] = bs[size_t(c / 256)];
    }
    return u;
}

// Re-packs the unpacked trits and returns the bytes (whole tensor).
std::vector<uint8_t> repack(const GgufTensorInfo& t, const Unpacked& u) {
    const int64_t cols = t.ne[0], rows = t.n_elements() / cols;
    if (t.type_id == uint32_t(GgmlType::I2_S))
        return i2_s_pack(u.trits.data(), rows, cols, u.scale.empty() ? 0.f : u.scale[0]);
    const int64_t row_bytes = (cols / 256) * (t.type_id == uint32_t(GgmlType::TQ2_0) ? 66 : 54);
    std::vector<uint8_t> out(size_t(rows * row_bytes));
    std::vector<float> bs(size_t(cols / 256));
    for (int64_t r = 0; r < rows; ++r) {
        for (int64_t b = 0; b < cols / 256; ++b) bs[size_t(b)] = u.scale[size_t(r * cols + b * 256)];
        if (t.type_id == uint32_t(GgmlType::TQ2_0))
            tq2_0_pack_row(u.trits.data() + r * cols, bs.data(), cols, out.data() + r * row_bytes);
        else
            tq1_0_pack_row(u.trits.data() + r * cols, bs.data(), cols, out.data() + r * row_bytes);
    }
    return out;
}

}  // namespace

class TestCodecsFixtures : public QObject {
    Q_OBJECT

    // Compares every ternary tensor of `packed` with the same tensor in `reference`.
    void compare_with_reference(const std::string& packed_path, const std::string& ref_path,
                                int expected_ternary) {
        if (!std::filesystem::exists(ref_path))
            QSKIP(qPrintable(QString("shared fixture missing: %1").arg(ref_path.c_str())));
        auto packed = GgufFile::open(packed_path);
        auto ref = GgufFile::open(ref_path);
        int n_ternary = 0;
        for (const auto& t : packed->tensors()) {
            if (!is_ternary(t.type_id)) continue;
            ++n_ternary;
            const GgufTensorInfo* rt = ref->find_tensor(t.name);
            QVERIFY2(rt, t.name.c_str());
            QCOMPARE(rt->ne, t.ne);
            const auto want = float_tensor(*ref, *rt);
            const Unpacked u = unpack_tensor(*packed, t);
            int64_t zeros = 0;
            for (size_t i = 0; i < want.size(); ++i) {
                QVERIFY(u.trits[i] >= -1 && u.trits[i] <= 1);
                zeros += u.trits[i] == 0;
                const float got = float(u.trits[i]) * u.scale[i];
                if (got != want[i])
                    QFAIL(qPrintable(QString("%1 element %2: unpacked %3 (trit %4 x %5), reference %6")
                                         .arg(t.name.c_str()).arg(i).arg(got).arg(u.trits[i])
                                         .arg(u.scale[i]).arg(want[i])));
            }
            // Real ternary weights: a good share of zeros and of non-zeros.
            QVERIFY(zeros > int64_t(want.size() / 10) && zeros < int64_t(want.size() * 9 / 10));

            // Bit-exact re-pack (I2_S: the codes and the scale; the tail padding is not data).
            const auto bytes = packed->tensor_bytes(t);
            const auto again = repack(t, u);
            size_t compare = again.size();
            if (t.type_id == uint32_t(GgmlType::I2_S)) compare = size_t(t.n_elements() / 4 + 4);
            QVERIFY(again.size() == bytes.size());
            QVERIFY2(std::memcmp(again.data(), bytes.data(), compare) == 0, t.name.c_str());
        }
        QCOMPARE(n_ternary, expected_ternary);
    }

private slots:
    void tq2_0_matches_f32() {
        compare_with_reference(fixture("tiny-tq2_0.gguf"), shared_fixture("tiny-f32.gguf"), 28);
    }
    void tq2_0_embf16_matches_f32() {
        compare_with_reference(fixture("tiny-tq2_0-embf16.gguf"), shared_fixture("tiny-f32.gguf"), 28);
    }
    void tq1_0_matches_f32() {
        compare_with_reference(fixture("tiny-tq1_0.gguf"), shared_fixture("tiny-f32.gguf"), 28);
    }
    void bitnetcpp_i2_s_matches_f32() {
        compare_with_reference(fixture("bitnetcpp-tiny-i2_s.gguf"), shared_fixture("tiny-f32.gguf"), 28);
    }
    void b158_i2_s_matches_f16() {
        const auto p = shared_fixture("b158-tiny-i2_s.gguf");
        if (!std::filesystem::exists(p)) QSKIP("shared fixture b158-tiny-i2_s.gguf missing");
        compare_with_reference(p, shared_fixture("b158-tiny-f16.gguf"), 21);
    }

    // llama-quantize wrote a Q6_K token_embd into the TQ files: it must dequantize close to
    // the F32 original (Q6_K keeps ~6 bits per weight).
    void q6_k_embedding_close_to_f32() {
        const auto ref_path = shared_fixture("tiny-f32.gguf");
        if (!std::filesystem::exists(ref_path)) QSKIP("shared fixture tiny-f32.gguf missing");
        for (const char* name : {"tiny-tq2_0.gguf", "tiny-tq1_0.gguf"}) {
            auto q = GgufFile::open(fixture(name));
            auto ref = GgufFile::open(ref_path);
            const auto* qt = q->find_tensor("token_embd.weight");
            const auto* rt = ref->find_tensor("token_embd.weight");
            QVERIFY(qt && rt);
            QCOMPARE(qt->type_id, uint32_t(GgmlType::Q6_K));
            QCOMPARE(qt->ne, rt->ne);
            const auto want = float_tensor(*ref, *rt);
            const auto got = float_tensor(*q, *qt);
            double err2 = 0, ref2 = 0, max_rel_row = 0;
            const int64_t cols = rt->ne[0];
            for (int64_t r = 0; r < rt->ne[1]; ++r) {
                double amax = 0, emax = 0;
                for (int64_t c = 0; c < cols; ++c) {
                    const double w = want[size_t(r * cols + c)], g = got[size_t(r * cols + c)];
                    err2 += (w - g) * (w - g);
                    ref2 += w * w;
                    amax = std::max(amax, std::abs(w));
                    emax = std::max(emax, std::abs(w - g));
                }
                max_rel_row = std::max(max_rel_row, emax / amax);
            }
            const double rel_rms = std::sqrt(err2 / ref2);
            qInfo("%s: Q6_K token_embd relative rms error %.5f, worst row max error / row amax %.4f",
                  name, rel_rms, max_rel_row);
            QVERIFY(rel_rms < 0.03);  // measured 0.0177
            QVERIFY(max_rel_row < 0.05);
        }
    }
};

QTEST_APPLESS_MAIN(TestCodecsFixtures)
#include "test_codecs_fixtures.moc"
