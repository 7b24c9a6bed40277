// Demo-model generator: files load, mirror the reference files' keys and tensor names, are
// deterministic per seed, hold real ternary weights, and their vocabularies tokenize text.
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "engine/demo/demo_model.h"
#include "engine/gguf/gguf_file.h"
#include "engine/base/error.h"
#include "engine/tensor/float_codecs.h"
#include "engine/tensor/ternary_codecs.h"
#include "engine/tokenizer/tokenizer.h"
#include "engine/tokenizer/vocab.h"

using namespace tern;

namespace {

std::string out_dir() {
    const char* c = std::getenv("TERNBENCH_CACHE_DIR");
    const std::string d = std::string(c ? c : "/tmp") + "/test_demo_model";
    std::filesystem::create_directories(d);
    return d;
}

std::vector<uint8_t> read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string make(const std::string& preset, const std::string& type, const std::string& arch,
                 uint64_t seed, const std::string& tag = "") {
    DemoSpec s;
    s.preset = preset;
    s.type = type;
    s.arch = arch;
    s.seed = seed;
    const std::string path = out_dir() + "/" + preset + "-" + type + "-" + arch + "-" +
                             std::to_string(seed) + tag + ".gguf";
    write_demo_model(s, path);
    return path;
}

std::set<std::string> keys_of(const GgufFile& f) {
    std::set<std::string> k;
    for (const auto& kv : f.metadata()) k.insert(kv.first);
    return k;
}

// Tensor names with layer numbers >= n_layers dropped (the fixtures have more layers).
std::set<std::string> names_of(const GgufFile& f, int n_layers) {
    std::set<std::string> n;
    for (const auto& t : f.tensors()) {
        if (t.name.rfind("blk.", 0) == 0 && std::stoi(t.name.substr(4)) >= n_layers) continue;
        n.insert(t.name);
    }
    return n;
}

// All trits of a ternary tensor (any of the three types) and its first scale.
std::vector<int8_t> trits_of(const GgufFile& f, const GgufTensorInfo& t, float* scale) {
    const int64_t cols = t.ne[0], rows = t.ne[1];
    std::vector<int8_t> out(size_t(cols * rows));
    std::vector<float> bs(size_t(cols / 256 + 1));
    const uint8_t* base = f.tensor_bytes(t).data();
    for (int64_t r = 0; r < rows; ++r) {
        int8_t* dst = out.data() + r * cols;
        if (t.type_id == uint32_t(GgmlType::TQ2_0)) tq2_0_unpack_row(base + r * cols / 256 * 66, cols, dst, bs.data());
        else if (t.type_id == uint32_t(GgmlType::TQ1_0)) tq1_0_unpack_row(base + r * cols / 256 * 54, cols, dst, bs.data());
        else {
            i2_s_unpack_row(base, r, cols, dst);
            bs[0] = i2_s_scale(base, rows, cols);
        }
    }
    *scale = bs[0];
    return out;
}

}  // namespace

class TestDemoModel : public QObject {
    Q_OBJECT
private slots:
    void presets_listed() {
        QCOMPARE(demo_presets(), (std::vector<std::string>{"tiny", "small", "700m", "1b3", "2b"}));
    }

    void tiny_bitnet_mirrors_llama_cpp_file() {
        for (const char* type : {"tq2_0", "tq1_0", "i2_s"}) {
            auto f = GgufFile::open(make("tiny", type, "bitnet", 1));
            auto ref = GgufFile::open(std::string(TB_FIXTURES_DIR) + "/tiny-tq2_0.gguf");
            QCOMPARE(keys_of(*f), keys_of(*ref));
            QCOMPARE(names_of(*f, 2), names_of(*ref, 2));
            QCOMPARE(*f->get_string("general.architecture"), std::string("bitnet"));
            QCOMPARE(*f->get_int("bitnet.embedding_length"), int64_t(256));
            QCOMPARE(*f->get_int("bitnet.block_count"), int64_t(2));
            QCOMPARE(*f->get_int("bitnet.attention.head_count"), int64_t(4));
            QCOMPARE(*f->get_int("bitnet.feed_forward_length"), int64_t(512));
            QCOMPARE(*f->get_int("bitnet.vocab_size"), int64_t(512));
            QCOMPARE(f->get_array("tokenizer.ggml.tokens")->size(), size_t(512));
            // Same value types as the reference, key by key.
            for (const auto& [k, v] : ref->metadata()) QCOMPARE(f->find(k)->type, v.type);
            const auto* down = f->find_tensor("blk.1.ffn_down.weight");
            QCOMPARE(down->ne, (std::vector<int64_t>{512, 256}));
            QCOMPARE(f->find_tensor("token_embd.weight")->type_id, uint32_t(GgmlType::F16));
            QCOMPARE(f->find_tensor("token_embd.weight")->ne, (std::vector<int64_t>{256, 512}));
        }
    }

    void tiny_b158_mirrors_bitnet_cpp_layout() {
        auto f = GgufFile::open(make("tiny", "i2_s", "bitnet-b1.58", 1));
        QCOMPARE(*f->get_int("bitnet-b1.58.attention.head_count_kv"), int64_t(1));
        QCOMPARE(*f->get_int("bitnet-b1.58.feed_forward_length"), int64_t(768));
        QCOMPARE(*f->get_string("tokenizer.ggml.model"), std::string("gpt2"));
        QVERIFY(!f->find("tokenizer.ggml.pre"));
        QCOMPARE(f->find_tensor("blk.0.attn_k.weight")->ne, (std::vector<int64_t>{256, 64}));
        const auto* tokens = f->get_array("tokenizer.ggml.tokens");
        QCOMPARE(tokens->strings[0], std::string("!"));
        QCOMPARE(tokens->strings[255], std::string("\xC5\x83"));  // byte 0xAD -> U+0143
        QCOMPARE(tokens->strings[509], std::string("<|begin_of_text|>"));
        QCOMPARE(tokens->strings[511], std::string("<|eot_id|>"));
        QCOMPARE(*f->get_int("tokenizer.ggml.bos_token_id"), int64_t(509));
        QCOMPARE(*f->get_int("tokenizer.ggml.eos_token_id"), int64_t(510));
        // Every merge joins two existing tokens into an existing token.
        std::set<std::string> vocab(tokens->strings.begin(), tokens->strings.end());
        const auto* merges = f->get_array("tokenizer.ggml.merges");
        QCOMPARE(merges->size(), size_t(512 - 256 - 3));
        for (const auto& m : merges->strings) {
            const auto sp = m.find(' ');
            QVERIFY(vocab.count(m.substr(0, sp)) && vocab.count(m.substr(sp + 1)));
            QVERIFY(vocab.count(m.substr(0, sp) + m.substr(sp + 1)));
        }
        const std::string shared = std::string(TB_SHARED_FIXTURES_DIR) + "/b158-tiny-i2_s.gguf";
        if (std::filesystem::exists(shared)) {
            auto ref = GgufFile::open(shared);
            auto ref_keys = keys_of(*ref);
            ref_keys.erase("general.name");
            auto keys = keys_of(*f);
            keys.erase("general.name");
            QCOMPARE(keys, ref_keys);
            QCOMPARE(names_of(*f, 2), names_of(*ref, 2));
            for (const auto& [k, v] : ref->metadata()) QCOMPARE(f->find(k)->type, v.type);
        }
    }

    void deterministic_per_seed() {
        const auto a = read_all(make("tiny", "tq2_0", "bitnet", 7, "a"));
        const auto b = read_all(make("tiny", "tq2_0", "bitnet", 7, "b"));
        const auto c = read_all(make("tiny", "tq2_0", "bitnet", 8, "c"));
        QVERIFY(!a.empty());
        QVERIFY(a == b);
        QVERIFY(a != c);
        QCOMPARE(a.size(), c.size());
    }

    void weights_are_ternary_and_identical_across_types() {
        auto tq2 = GgufFile::open(make("tiny", "tq2_0", "bitnet", 3));
        auto tq1 = GgufFile::open(make("tiny", "tq1_0", "bitnet", 3));
        auto i2s = GgufFile::open(make("tiny", "i2_s", "bitnet", 3));
        for (const char* name : {"blk.0.attn_q.weight", "blk.1.ffn_down.weight"}) {
            float s2, s1, si;
            const auto t2 = trits_of(*tq2, *tq2->find_tensor(name), &s2);
            const auto t1 = trits_of(*tq1, *tq1->find_tensor(name), &s1);
            const auto ti = trits_of(*i2s, *i2s->find_tensor(name), &si);
            QVERIFY(t2 == t1);
            QVERIFY(t2 == ti);
            QCOMPARE(s2, s1);
            QCOMPARE(s2, si);
            QVERIFY(s2 > 0 && s2 < 1);
            size_t counts[3] = {};
            for (int8_t t : t2) counts[t + 1]++;
            for (size_t c : counts) {  // each of -1, 0, +1 about a third
                QVERIFY(c > t2.size() * 28 / 100);
                QVERIFY(c < t2.size() * 38 / 100);
            }
        }
        // The F16 twin holds trit x scale exactly (a KL base for the ternary files of the seed).
        auto f16 = GgufFile::open(make("tiny", "f16", "bitnet", 3));
        for (const char* name : {"blk.0.attn_q.weight", "blk.1.ffn_down.weight"}) {
            float s2;
            const auto t2 = trits_of(*tq2, *tq2->find_tensor(name), &s2);
            const auto* t = f16->find_tensor(name);
            QCOMPARE(t->type_id, uint32_t(GgmlType::F16));
            std::vector<float> w(size_t(t->n_elements()));
            dequantize_row(t->type_id, f16->tensor_bytes(*t).data(), t->n_elements(), w.data());
            size_t mismatches = 0;
            for (size_t i = 0; i < w.size(); ++i) mismatches += w[i] != float(t2[i]) * s2;
            QCOMPARE(mismatches, size_t(0));
        }
        QCOMPARE(f16->get_int("general.file_type"), std::optional<int64_t>(1));   // MOSTLY_F16
        // Norm weights 1, embeddings small and finite.
        const auto* norm = tq2->find_tensor("blk.0.ffn_sub_norm.weight");
        std::vector<float> n(512);
        dequantize_row(norm->type_id, tq2->tensor_bytes(*norm).data(), 512, n.data());
        QCOMPARE(n[0], 1.0f);
        QCOMPARE(n[511], 1.0f);
        const auto* emb = tq2->find_tensor("token_embd.weight");
        std::vector<float> e(size_t(emb->n_elements()));
        dequantize_row(emb->type_id, tq2->tensor_bytes(*emb).data(), emb->n_elements(), e.data());
        // Pieces (ids >= 259) get std 2/sqrt(256) = 0.125; byte and control tokens a quarter.
        double piece2 = 0, quiet2 = 0;
        for (size_t i = 0; i < e.size(); ++i) {
            QVERIFY(std::isfinite(e[i]));
            (i / 256 >= 259 ? piece2 : quiet2) += double(e[i]) * e[i];
        }
        const double piece_rms = std::sqrt(piece2 / double(256 * (512 - 259)));
        const double quiet_rms = std::sqrt(quiet2 / double(256 * 259));
        QVERIFY2(piece_rms > 0.11 && piece_rms < 0.14, qPrintable(QString::number(piece_rms)));
        QVERIFY2(quiet_rms > 0.11 / 4 && quiet_rms < 0.14 / 4, qPrintable(QString::number(quiet_rms)));
    }

    void vocabularies_tokenize_text() {
        for (const char* arch : {"bitnet", "bitnet-b1.58"}) {
            auto f = GgufFile::open(make("small", "i2_s", arch, 1));
            QCOMPARE(f->get_array("tokenizer.ggml.tokens")->size(), size_t(32000));
            auto tok = Tokenizer::create(read_vocab(*f));
            const std::string text = "hello world, the kato and bina sat 42 times!";
            const auto ids = tok->encode(text, false);
            QVERIFY(!ids.empty());
            QCOMPARE(tok->decode(ids), text);
            // Pieces, not bytes: fewer tokens than characters.
            QVERIFY2(ids.size() < text.size() * 3 / 4, qPrintable(QString::number(ids.size())));
        }
    }

    void small_shapes() {
        auto f = GgufFile::open(make("small", "tq2_0", "bitnet-b1.58", 1));
        QCOMPARE(*f->get_int("bitnet-b1.58.block_count"), int64_t(12));
        QCOMPARE(*f->get_int("bitnet-b1.58.attention.head_count_kv"), int64_t(4));
        QCOMPARE(f->find_tensor("blk.11.attn_k.weight")->ne, (std::vector<int64_t>{768, 256}));
        QCOMPARE(f->find_tensor("blk.11.ffn_down.weight")->ne, (std::vector<int64_t>{2048, 768}));
        QCOMPARE(f->tensors().size(), size_t(2 + 12 * 11));
    }

    void bad_specs_throw() {
        DemoSpec s;
        s.preset = "huge";
        QVERIFY_THROWS_EXCEPTION(Error, write_demo_model(s, out_dir() + "/x.gguf"));
        s = DemoSpec{};
        s.type = "q4_0";
        QVERIFY_THROWS_EXCEPTION(Error, write_demo_model(s, out_dir() + "/x.gguf"));
        s = DemoSpec{};
        s.arch = "llama";
        QVERIFY_THROWS_EXCEPTION(Error, write_demo_model(s, out_dir() + "/x.gguf"));
        QVERIFY(!std::filesystem::exists(out_dir() + "/x.gguf"));
    }

    void cache_path_and_ensure() {
        DemoSpec s;
        s.preset = "tiny";
        s.type = "tq1_0";
        s.arch = "bitnet";
        s.seed = 99;
        const std::string p = demo_model_cache_path(s);
        const char* dir = std::getenv("TERNBENCH_CACHE_DIR");
        if (dir) QVERIFY2(p.rfind(dir, 0) == 0, p.c_str());
        for (const char* part : {"tiny", "tq1_0", "bitnet", "99"})
            QVERIFY2(p.find(part) != std::string::npos, p.c_str());
        DemoSpec other = s;
        other.seed = 100;
        QVERIFY(demo_model_cache_path(other) != p);
        std::filesystem::remove(p);
        QCOMPARE(ensure_demo_model(s), p);
        QVERIFY(std::filesystem::exists(p));
        const auto t1 = std::filesystem::last_write_time(p);
        QCOMPARE(ensure_demo_model(s), p);  // cached: not rewritten
        QVERIFY(std::filesystem::last_write_time(p) == t1);
        // A damaged cache file is regenerated.
        { std::ofstream(p, std::ios::binary | std::ios::trunc) << "junk"; }
        QCOMPARE(ensure_demo_model(s), p);
        QVERIFY(GgufFile::open(p)->tensors().size() > 10);
    }
};

QTEST_APPLESS_MAIN(TestDemoModel)
#include "test_demo_model.moc"
