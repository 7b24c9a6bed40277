// Malformed GGUF input: every case must throw tern::Error (FormatError / UnsupportedError)
// with a message naming the problem, and never crash (the CI runs this under ASan/UBSan).
#include <QtTest>

#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/base/error.h"

using namespace tern;

namespace {

std::vector<uint8_t> read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Hand-built GGUF bytes, to control every field (the writer refuses invalid input).
struct Bytes {
    std::vector<uint8_t> b;
    template <typename T>
    Bytes& put(T v) {
        const auto* p = reinterpret_cast<const uint8_t*>(&v);
        b.insert(b.end(), p, p + sizeof(T));
        return *this;
    }
    Bytes& str(const std::string& s) {
        put<uint64_t>(s.size());
        b.insert(b.end(), s.begin(), s.end());
        return *this;
    }
    Bytes& header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
        b.insert(b.end(), {'G', 'G', 'U', 'F'});
        return put<uint32_t>(version).put<uint64_t>(n_tensors).put<uint64_t>(n_kv);
    }
    Bytes& kv_u32(const std::string& k, uint32_t v) { return str(k).put<int32_t>(4).put<uint32_t>(v); }
    Bytes& kv_str(const std::string& k, const std::string& v) { return str(k).put<int32_t>(8).str(v); }
    Bytes& tensor(const std::string& name, std::vector<int64_t> ne, uint32_t type, uint64_t offset) {
        str(name).put<uint32_t>(uint32_t(ne.size()));
        for (int64_t d : ne) put<int64_t>(d);
        return put<uint32_t>(type).put<uint64_t>(offset);
    }
    Bytes& pad(size_t a = 32) {
        while (b.size() % a) b.push_back(0);
        return *this;
    }
    Bytes& data(size_t n, uint8_t v = 0) {
        b.insert(b.end(), n, v);
        return *this;
    }
};

// Expects parsing to throw tern::Error whose message contains every given fragment.
template <typename Ex = Error>
void expect_error(const std::vector<uint8_t>& bytes, std::initializer_list<const char*> fragments) {
    try {
        GgufFile::from_bytes(bytes);
    } catch (const Ex& e) {
        const std::string msg = e.what();
        for (const char* f : fragments)
            QVERIFY2(msg.find(f) != std::string::npos,
                     qPrintable(QString("message '%1' lacks '%2'").arg(msg.c_str(), f)));
        return;
    } catch (const std::exception& e) {
        QFAIL(qPrintable(QString("wrong exception type: %1").arg(e.what())));
    }
    QFAIL("no exception for malformed input");
}

// A small valid file: two keys, two F32 tensors of 8 floats.
Bytes valid_file() {
    Bytes f;
    f.header(2, 2).kv_str("general.architecture", "bitnet").kv_u32("bitnet.block_count", 1);
    f.tensor("a", {8}, 0, 0).tensor("b", {8}, 0, 32).pad().data(64, 1);
    return f;
}

}  // namespace

class TestGgufBadInput : public QObject {
    Q_OBJECT
private slots:
    void valid_baseline_parses() {
        auto f = GgufFile::from_bytes(valid_file().b);
        QCOMPARE(f->tensors().size(), size_t(2));
        QCOMPARE(f->find_tensor("b")->offset, uint64_t(32));
    }

    void truncated_fixture_at_every_header_byte_and_random_data_points() {
        const auto full = read_all(std::string(TB_FIXTURES_DIR) + "/tiny-tq2_0.gguf");
        auto ok = GgufFile::from_bytes(full);
        const uint64_t data_start = ok->data_offset();
        int checked = 0;
        // Every byte of the header, the first keys, the tensor infos and the padding, and every
        // 7th byte of the long vocabulary arrays between: this covers each section boundary.
        const uint64_t infos_region = data_start > 2600 ? data_start - 2600 : 0;
        for (uint64_t cut = 0; cut <= data_start; cut += (cut < 600 || cut >= infos_region) ? 1 : 7) {
            std::vector<uint8_t> part(full.begin(), full.begin() + long(cut));
            try {
                GgufFile::from_bytes(part);
                QFAIL(qPrintable(QString("truncation at %1 parsed").arg(cut)));
            } catch (const Error& e) {
                QVERIFY(std::strlen(e.what()) > 10);
            }
            ++checked;
        }
        std::mt19937_64 rng(7);
        for (int i = 0; i < 100; ++i) {
            const uint64_t cut = data_start + rng() % (full.size() - data_start);
            std::vector<uint8_t> part(full.begin(), full.begin() + long(cut));
            expect_error(part, {"past the end of the file"});
            ++checked;
        }
        qInfo("%d truncated copies refused", checked);
    }

    void truncated_writer_file_at_section_boundaries() {
        GgufWriter w;
        w.add_string("general.architecture", "bitnet");
        w.add_string_array("tokenizer.ggml.tokens", {"a", "bb", "ccc"});
        w.add_tensor("t", 0, {4}, std::vector<uint8_t>(16, 3));
        const auto full = w.to_bytes();
        // Boundaries: magic, version, counts, key length, key, type, array header, elements,
        // tensor info fields, padding, data.
        for (size_t cut : {0, 3, 4, 7, 8, 16, 23, 24, 31, 40, 60, 70, 80, 100, 110, 120}) {
            if (cut >= full.size() - 32) continue;
            std::vector<uint8_t> part(full.begin(), full.begin() + long(cut));
            QVERIFY_THROWS_EXCEPTION(FormatError, GgufFile::from_bytes(part));
        }
        expect_error(std::vector<uint8_t>(full.begin(), full.end() - 17), {"tensor 't' (F32, 4)", "past the end"});
    }

    void wrong_magic_and_versions() {
        auto f = valid_file();
        f.b[0] = 'X';
        expect_error<FormatError>(f.b, {"not a GGUF file", "XGUF"});
        expect_error<FormatError>(std::vector<uint8_t>{}, {"not a GGUF file"});
        expect_error<FormatError>(std::vector<uint8_t>{'G', 'G'}, {"not a GGUF file"});
        Bytes v1;
        v1.header(0, 0, 1);
        expect_error<FormatError>(v1.b, {"version 1", "not supported"});
        Bytes v4;
        v4.header(0, 0, 4);
        expect_error<FormatError>(v4.b, {"version 4"});
        Bytes be;
        be.header(0, 0, 0x03000000);
        expect_error<FormatError>(be.b, {"big-endian"});
        Bytes v2;
        v2.header(0, 0, 2);
        QCOMPARE(GgufFile::from_bytes(v2.b)->version(), 2u);
    }

    void huge_counts() {
        Bytes a;
        a.header(0, uint64_t(1) << 60).data(64);
        expect_error<FormatError>(a.b, {"metadata count"});
        Bytes b;
        b.header(~uint64_t(0), 0).data(64);
        expect_error<FormatError>(b.b, {"tensor count"});
        Bytes c;  // array count far past the end
        c.header(0, 1).str("tokenizer.ggml.tokens").put<int32_t>(9).put<int32_t>(8).put<uint64_t>(uint64_t(1) << 62);
        expect_error<FormatError>(c.b, {"tokenizer.ggml.tokens", "cannot fit"});
        Bytes d;
        d.header(0, 1).str("scores").put<int32_t>(9).put<int32_t>(6).put<uint64_t>(~uint64_t(0) / 2).data(16);
        expect_error<FormatError>(d.b, {"scores", "cannot fit"});
    }

    void string_length_past_end() {
        Bytes a;
        a.header(0, 1).put<uint64_t>(1000).data(20);
        expect_error<FormatError>(a.b, {"key", "length 1000", "past the end"});
        Bytes b;
        b.header(0, 1).str("general.name").put<int32_t>(8).put<uint64_t>(~uint64_t(0)).data(8);
        expect_error<FormatError>(b.b, {"general.name", "past the end"});
        Bytes c;  // one string inside an array
        c.header(0, 1).str("tok").put<int32_t>(9).put<int32_t>(8).put<uint64_t>(2).str("ab").put<uint64_t>(99);
        expect_error<FormatError>(c.b, {"'tok'", "past the end"});
    }

    void bad_values() {
        Bytes a;
        a.header(0, 1).str("k").put<int32_t>(13).put<uint32_t>(0);
        expect_error<FormatError>(a.b, {"'k'", "value type 13"});
        Bytes b;
        b.header(0, 1).str("k").put<int32_t>(7).put<uint8_t>(2);
        expect_error<FormatError>(b.b, {"'k'", "not 0 or 1"});
        Bytes c;
        c.header(0, 1).str("k").put<int32_t>(9).put<int32_t>(9).put<uint64_t>(1);
        expect_error<FormatError>(c.b, {"arrays of arrays"});
        Bytes d;
        d.header(0, 1).str("k").put<int32_t>(9).put<int32_t>(-1).put<uint64_t>(1);
        expect_error<FormatError>(d.b, {"element type -1"});
        Bytes e;
        e.header(0, 2).kv_u32("dup", 1).kv_u32("dup", 2);
        expect_error<FormatError>(e.b, {"'dup'", "more than once"});
        Bytes f;
        f.header(0, 1).kv_u32("general.alignment", 48);
        expect_error<FormatError>(f.b, {"general.alignment", "power of two"});
        Bytes g;
        g.header(0, 1).kv_u32("general.alignment", 0);
        expect_error<FormatError>(g.b, {"power of two"});
        Bytes h;
        h.header(0, 1).kv_str("general.alignment", "32");
        expect_error<FormatError>(h.b, {"general.alignment", "string"});
    }

    void bad_tensor_infos() {
        Bytes a;
        a.header(1, 0).tensor("blk.0.attn_q.weight", {1, 1, 1, 1, 1}, 0, 0).pad().data(32);
        expect_error<FormatError>(a.b, {"blk.0.attn_q.weight", "5 dimensions"});
        Bytes z;
        z.header(1, 0).tensor("x", {}, 0, 0).pad().data(32);
        expect_error<FormatError>(z.b, {"'x'", "0 dimensions"});
        Bytes b;
        b.header(1, 0).tensor("w", {256, -1}, 0, 0).pad().data(32);
        expect_error<FormatError>(b.b, {"'w'", "negative"});
        Bytes c;
        c.header(1, 0).tensor("w", {int64_t(1) << 40, int64_t(1) << 40}, 0, 0).pad().data(32);
        expect_error<FormatError>(c.b, {"'w'", "overflow"});
        Bytes c2;  // elements fit in 63 bits but bytes do not
        c2.header(1, 0).tensor("w", {int64_t(1) << 31, int64_t(1) << 31}, 0, 0).pad().data(32);
        expect_error<FormatError>(c2.b, {"'w'"});
        Bytes d;
        d.header(1, 0).tensor("blk.0.ffn_up.weight", {256, 256}, 99, 0).pad().data(32);
        expect_error<UnsupportedError>(d.b, {"blk.0.ffn_up.weight", "type 99"});
        Bytes d2;  // 37: retired upstream, TL1 in bitnet.cpp: ambiguous, refused
        d2.header(1, 0).tensor("w", {256, 256}, 37, 0).pad().data(32);
        expect_error<UnsupportedError>(d2.b, {"'w'", "type id 37"});
        Bytes e;
        e.header(1, 0).tensor("w", {100, 2}, 35, 0).pad().data(512);
        expect_error<FormatError>(e.b, {"'w' (TQ2_0, 100x2)", "multiple of the block size 256"});
        Bytes f;
        f.header(1, 0).tensor(std::string(65, 'n'), {8}, 0, 0).pad().data(32);
        expect_error<FormatError>(f.b, {"longer than 64"});
    }

    void offsets_past_end_misaligned_and_overlapping() {
        Bytes a;
        a.header(1, 0).tensor("blk.0.attn_q.weight", {256, 256}, 35, 0).pad().data(1000);
        expect_error<FormatError>(a.b, {"tensor 'blk.0.attn_q.weight' (TQ2_0, 256x256) ends at byte",
                                        "past the end of the file (size"});
        Bytes b;
        b.header(1, 0).tensor("t", {8}, 0, uint64_t(1) << 63).pad().data(64);
        expect_error<FormatError>(b.b, {"'t'", "past the end"});
        Bytes b2;  // offset + size wraps around 2^64
        b2.header(1, 0).tensor("t", {8}, 0, ~uint64_t(31)).pad().data(64);
        expect_error<FormatError>(b2.b, {"'t'", "past the end"});
        Bytes c;
        c.header(1, 0).tensor("t", {8}, 0, 4).pad().data(64);
        expect_error<FormatError>(c.b, {"'t'", "offset 4", "alignment 32"});
        Bytes d;
        d.header(2, 0).tensor("a", {16}, 0, 0).tensor("b", {8}, 0, 32).pad().data(128);
        expect_error<FormatError>(d.b, {"'b'", "overlaps tensor 'a'"});
        Bytes e;
        e.header(2, 0).tensor("same", {8}, 0, 0).tensor("same", {8}, 0, 32).pad().data(64);
        expect_error<FormatError>(e.b, {"'same'", "more than once"});
        Bytes g;  // data section itself past the end
        g.header(1, 0).tensor("t", {8}, 0, 0);
        expect_error<FormatError>(g.b, {"past the end"});
    }

    void random_corruption_never_crashes() {
        // Overwrite bytes of valid files' header regions: anything may happen except a crash
        // or a non-tern exception; a file that still parses must have in-bounds tensors.
        // Mostly a small file, so that the copies stay cheap under ASan.
        GgufWriter w;
        w.add_string("general.architecture", "bitnet");
        w.add_string_array("tokenizer.ggml.tokens", {"<unk>", "<s>", "a", "bc"});
        w.add_f32_array("tokenizer.ggml.scores", {0, -1, -2, -3});
        w.add_u32("bitnet.block_count", 1);
        w.add_tensor("a", 0, {8}, std::vector<uint8_t>(32, 1));
        w.add_tensor("b", 35, {256}, std::vector<uint8_t>(66, 2));
        w.add_tensor("c", 36, {128, 2}, std::vector<uint8_t>(64 + 32, 3));
        const auto small = w.to_bytes();
        const auto fixture = read_all(std::string(TB_FIXTURES_DIR) + "/tiny-tq1_0.gguf");
        std::mt19937_64 rng(11);
        int refused = 0, parsed = 0;
        for (const auto* base : {&small, &fixture}) {
            const uint64_t region = GgufFile::from_bytes(*base)->data_offset();
            const int rounds = base == &small ? 4000 : 200;
            for (int i = 0; i < rounds; ++i) {
                auto bytes = *base;
                const int flips = 1 + int(rng() % 4);
                for (int k = 0; k < flips; ++k) bytes[rng() % region] = uint8_t(rng());
                try {
                    auto f = GgufFile::from_bytes(bytes);
                    for (const auto& t : f->tensors())
                        QVERIFY(f->data_offset() + t.offset + t.nbytes <= f->file_size());
                    ++parsed;
                } catch (const Error&) {
                    ++refused;
                }
            }
        }
        qInfo("corrupted copies: %d refused, %d still valid", refused, parsed);
        QVERIFY(refused > 0);
    }
};

QTEST_APPLESS_MAIN(TestGgufBadInput)
#include "test_gguf_bad_input.moc"
