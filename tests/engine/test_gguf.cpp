// GGUF reader on the fixture files, the typed getters, and writer -> reader round trips.
#include <QtTest>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/base/error.h"
#include "engine/tensor/float_codecs.h"

using namespace tern;

namespace {
std::string fixture(const char* name) { return std::string(TB_FIXTURES_DIR) + "/" + name; }

std::vector<uint8_t> read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string temp_dir() {
    const char* c = std::getenv("TERNBENCH_CACHE_DIR");
    std::string d = std::string(c ? c : "/tmp") + "/test_gguf";
    std::filesystem::create_directories(d);
    return d;
}

GgufWriter sample_writer() {
    GgufWriter w;
    w.add_string("general.architecture", "bitnet");
    w.add_u32("bitnet.block_count", 4);
    w.add_i32("some.negative", -7);
    w.add_u64("some.big", 1ull << 40);
    w.add_f32("bitnet.rope.freq_base", 10000.0f);
    w.add_bool("tokenizer.ggml.add_bos_token", true);
    w.add_string_array("tokenizer.ggml.tokens", {"<unk>", "<s>", "\xe2\x96\x81hello", ""});
    w.add_f32_array("tokenizer.ggml.scores", {0.f, -1.5f, -2.f, 3.25f});
    w.add_i32_array("tokenizer.ggml.token_type", {2, 3, 1, 6});
    std::vector<uint8_t> f32(4 * 3 * 2);
    for (size_t i = 0; i < f32.size(); ++i) f32[i] = uint8_t(i * 7);
    w.add_tensor("a.weight", uint32_t(GgmlType::F32), {3, 2}, f32);
    std::vector<uint8_t> tq(66 * 2, 0x55);
    w.add_tensor("b.weight", uint32_t(GgmlType::TQ2_0), {256, 2}, tq);
    w.add_tensor_generated("c.weight", uint32_t(GgmlType::I2_S), {128, 3}, [](std::span<uint8_t> s) {
        for (size_t i = 0; i < s.size(); ++i) s[i] = uint8_t(i);
    });
    return w;
}
}  // namespace

class TestGguf : public QObject {
    Q_OBJECT
private slots:
    void reads_tq2_0_fixture() {
        auto f = GgufFile::open(fixture("tiny-tq2_0.gguf"));
        QCOMPARE(f->version(), 3u);
        QCOMPARE(f->alignment(), 32u);
        QCOMPARE(f->data_offset() % 32, uint64_t(0));
        QCOMPARE(*f->get_string("general.architecture"), std::string("bitnet"));
        QCOMPARE(*f->get_int("bitnet.embedding_length"), int64_t(256));
        QCOMPARE(*f->get_int("bitnet.block_count"), int64_t(4));
        QCOMPARE(*f->get_float("bitnet.rope.freq_base"), 10000.0);
        QCOMPARE(*f->get_float("bitnet.block_count"), 4.0);  // ints convert to float
        QCOMPARE(*f->get_bool("tokenizer.ggml.add_bos_token"), true);
        const GgufArray* tokens = f->get_array("tokenizer.ggml.tokens");
        QVERIFY(tokens);
        QCOMPARE(tokens->size(), size_t(512));
        QCOMPARE(tokens->strings[1], std::string("<s>"));
        QCOMPARE(tokens->strings[3], std::string("<0x00>"));
        const GgufArray* types = f->get_array("tokenizer.ggml.token_type");
        QCOMPARE(types->ints[0], int64_t(2));
        QCOMPARE(types->ints[3], int64_t(6));
        QCOMPARE(f->get_array("tokenizer.ggml.scores")->floats.size(), size_t(512));
        QVERIFY(!f->get_string("no.such.key"));
        QVERIFY(!f->get_array("no.such.key"));
        QVERIFY_THROWS_EXCEPTION(FormatError, f->get_int("general.architecture"));
        QVERIFY_THROWS_EXCEPTION(FormatError, f->get_string("bitnet.block_count"));
        QVERIFY_THROWS_EXCEPTION(FormatError, f->get_bool("bitnet.block_count"));
        QVERIFY_THROWS_EXCEPTION(FormatError, f->get_array("bitnet.block_count"));

        QCOMPARE(f->tensors().size(), size_t(4 * 11 + 2));
        const GgufTensorInfo* q = f->find_tensor("blk.0.attn_q.weight");
        QVERIFY(q);
        QCOMPARE(q->type_id, uint32_t(GgmlType::TQ2_0));
        QCOMPARE(q->ne, (std::vector<int64_t>{256, 256}));
        QCOMPARE(q->nbytes, uint64_t(256 * 66));
        QCOMPARE(q->n_elements(), int64_t(65536));
        const auto bytes = f->tensor_bytes(*q);
        QCOMPARE(bytes.size(), size_t(q->nbytes));
        QVERIFY(bytes.data() >= reinterpret_cast<const uint8_t*>(0) + 0);
        QCOMPARE(reinterpret_cast<uintptr_t>(bytes.data()) % 32, uintptr_t(0));  // mmap + aligned offset
        const auto* down = f->find_tensor("blk.3.ffn_down.weight");
        QCOMPARE(down->ne, (std::vector<int64_t>{512, 256}));
        QVERIFY(!f->find_tensor("output.weight"));
        // Norm weights are readable floats.
        const auto* norm = f->find_tensor("output_norm.weight");
        std::vector<float> w(256);
        dequantize_row(norm->type_id, f->tensor_bytes(*norm).data(), 256, w.data());
        QVERIFY(std::isfinite(w[0]) && w[0] != 0.0f);
    }

    void reads_every_fixture() {
        for (const char* name : {"tiny-tq1_0.gguf", "tiny-tq2_0-embf16.gguf", "bitnetcpp-tiny-i2_s.gguf"}) {
            auto f = GgufFile::open(fixture(name));
            QVERIFY(f->tensors().size() > 10);
            QCOMPARE(*f->get_int("bitnet.vocab_size"), int64_t(512));
        }
        auto i2s = GgufFile::open(fixture("bitnetcpp-tiny-i2_s.gguf"));
        const auto* t = i2s->find_tensor("blk.0.attn_q.weight");
        QCOMPARE(t->type_id, uint32_t(GgmlType::I2_S));
        QCOMPARE(t->nbytes, uint64_t(256 * 256 / 4 + 32));
        const std::string shared = std::string(TB_SHARED_FIXTURES_DIR) + "/llama3-tiny-f16.gguf";
        if (std::filesystem::exists(shared)) {
            QElapsedTimer timer;
            timer.start();
            auto big = GgufFile::open(shared);
            const auto* tokens = big->get_array("tokenizer.ggml.tokens");
            QCOMPARE(tokens->size(), size_t(128256));
            QVERIFY(big->get_array("tokenizer.ggml.merges")->size() > 100000);
            qInfo("llama3-tiny-f16.gguf (128256 tokens + merges) parsed in %lld ms", timer.elapsed());
        }
    }

    void missing_file_names_the_path() {
        const std::string p = "/nonexistent/dir/model.gguf";
        try {
            GgufFile::open(p);
            QFAIL("no exception");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find(p) != std::string::npos, e.what());
        }
        QVERIFY_THROWS_EXCEPTION(Error, GgufFile::open(TB_FIXTURES_DIR));  // a directory
    }

    void writer_round_trip_in_memory() {
        const GgufWriter w = sample_writer();
        const auto bytes = w.to_bytes();
        auto f = GgufFile::from_bytes(bytes);
        QCOMPARE(f->version(), 3u);
        QCOMPARE(f->metadata().size(), size_t(9));
        QCOMPARE(f->metadata()[0].first, std::string("general.architecture"));  // file order
        QCOMPARE(*f->get_string("general.architecture"), std::string("bitnet"));
        QCOMPARE(*f->get_int("bitnet.block_count"), int64_t(4));
        QCOMPARE(f->find("bitnet.block_count")->type, GgufValueType::U32);
        QCOMPARE(*f->get_int("some.negative"), int64_t(-7));
        QCOMPARE(*f->get_int("some.big"), int64_t(1) << 40);
        QCOMPARE(*f->get_float("bitnet.rope.freq_base"), 10000.0);
        QCOMPARE(*f->get_bool("tokenizer.ggml.add_bos_token"), true);
        const auto* tok = f->get_array("tokenizer.ggml.tokens");
        QCOMPARE(tok->strings, (std::vector<std::string>{"<unk>", "<s>", "\xe2\x96\x81hello", ""}));
        QCOMPARE(f->get_array("tokenizer.ggml.scores")->floats, (std::vector<double>{0, -1.5, -2, 3.25}));
        QCOMPARE(f->get_array("tokenizer.ggml.token_type")->ints, (std::vector<int64_t>{2, 3, 1, 6}));
        QCOMPARE(f->get_array("tokenizer.ggml.token_type")->elem_type, GgufValueType::I32);

        QCOMPARE(f->tensors().size(), size_t(3));
        const auto* a = f->find_tensor("a.weight");
        QCOMPARE(a->ne, (std::vector<int64_t>{3, 2}));
        const auto ab = f->tensor_bytes(*a);
        for (size_t i = 0; i < ab.size(); ++i) QCOMPARE(int(ab[i]), int(uint8_t(i * 7)));
        const auto* b = f->find_tensor("b.weight");
        QCOMPARE(b->offset, uint64_t(32));  // 24 bytes of a.weight padded to 32
        QCOMPARE(int(f->tensor_bytes(*b)[65]), 0x55);
        const auto* c = f->find_tensor("c.weight");
        QCOMPARE(c->nbytes, uint64_t(128 * 3 / 4 + 32));
        QCOMPARE(int(f->tensor_bytes(*c)[100]), 100);
        QCOMPARE(f->file_size(), c->offset + f->data_offset() + 128);  // padded end
        // Same content, same bytes.
        QCOMPARE(sample_writer().to_bytes(), bytes);
    }

    void writer_alignment_and_replace() {
        GgufWriter w;
        w.set_alignment(64);
        w.add_u32("x", 1);
        w.add_u32("x", 2);  // replaces
        w.add_tensor("t", uint32_t(GgmlType::F16), {5}, std::vector<uint8_t>(10, 1));
        w.add_tensor("u", uint32_t(GgmlType::F16), {5}, std::vector<uint8_t>(10, 2));
        auto f = GgufFile::from_bytes(w.to_bytes());
        QCOMPARE(f->alignment(), 64u);
        QCOMPARE(*f->get_int("x"), int64_t(2));
        QCOMPARE(f->metadata().size(), size_t(2));
        QCOMPARE(f->data_offset() % 64, uint64_t(0));
        QCOMPARE(f->find_tensor("u")->offset, uint64_t(64));
        QVERIFY_THROWS_EXCEPTION(Error, w.set_alignment(48));
        QVERIFY_THROWS_EXCEPTION(Error, w.add_tensor("t", uint32_t(GgmlType::F16), {5}, std::vector<uint8_t>(10)));
        QVERIFY_THROWS_EXCEPTION(Error, w.add_tensor("v", uint32_t(GgmlType::F16), {5}, std::vector<uint8_t>(9)));
        QVERIFY_THROWS_EXCEPTION(Error, w.add_tensor("v", uint32_t(GgmlType::TQ2_0), {100}, {}));
    }

    void writer_file_round_trip_is_atomic() {
        const std::string path = temp_dir() + "/round_trip.gguf";
        std::filesystem::remove(path);
        sample_writer().write(path);
        QVERIFY(std::filesystem::exists(path));
        QCOMPARE(read_all(path), sample_writer().to_bytes());
        // No temp files left behind.
        int n = 0;
        for (const auto& e : std::filesystem::directory_iterator(temp_dir()))
            n += e.path().filename().string().find(".tmp-") != std::string::npos;
        QCOMPARE(n, 0);
        auto f = GgufFile::open(path);
        QCOMPARE(f->path(), path);
        QCOMPARE(f->tensors().size(), size_t(3));
        // Unwritable destination: a clear error naming the path. The parent is a regular file,
        // so no process (not even root, nor one that created some "/nonexistent/dir") can make it.
        const std::string bad = path + "/x.gguf";
        try {
            sample_writer().write(bad);
            QFAIL("no exception");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find(bad) != std::string::npos, e.what());
        }
    }

    void fixture_rewrite_is_identical() {
        // Copy every KV and tensor of a real file through the writer: same metadata, same data.
        auto f = GgufFile::open(fixture("tiny-tq1_0.gguf"));
        GgufWriter w;
        for (const auto& [k, v] : f->metadata()) w.add_value(k, v);
        for (const auto& t : f->tensors()) {
            const auto b = f->tensor_bytes(t);
            w.add_tensor(t.name, t.type_id, t.ne, std::vector<uint8_t>(b.begin(), b.end()));
        }
        const auto bytes = w.to_bytes();
        QCOMPARE(bytes, read_all(fixture("tiny-tq1_0.gguf")));  // llama.cpp's layout is ours
    }
};

QTEST_APPLESS_MAIN(TestGguf)
#include "test_gguf.moc"
