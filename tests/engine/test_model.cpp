// Model loading: hyper-parameters, weight forms, load statistics and clear errors for bad files.
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

#include "engine/gguf/gguf_writer.h"
#include "engine/model/model.h"
#include "engine/model/weights.h"
#include "engine/model/weight_read_probe.h"
#include "engine/base/thread_pool.h"
#include "engine/base/error.h"
#include "engine/runtime/session.h"
#include "engine/tensor/float_codecs.h"
#include "engine/model_test_support.h"

using namespace tern;

namespace {
// Loads a copy of `fixture` edited by the callbacks; returns the error message ("" = loaded).
template <class Err>
QString load_error(const QString& dir, const std::string& fixture, const std::function<void(GgufWriter&)>& kv,
                   const std::function<bool(GgufTensorInfo&)>& keep = {}) {
    const std::string out = (dir + "/bad.gguf").toStdString();
    tbtest::rewrite_gguf(fixture, out, kv, keep);
    try {
        Model::load(out);
    } catch (const Err& e) {
        return QString::fromUtf8(e.what());
    } catch (const std::exception& e) {
        return QString("wrong exception type: ") + e.what();
    }
    return {};
}
}  // namespace

class TestModel : public QObject {
    Q_OBJECT
    std::string tq2_;
private slots:
    void initTestCase() {
        tq2_ = tbtest::fixture_path("tiny-tq2_0.gguf");
        QVERIFY2(!tq2_.empty(), "tests/fixtures/tiny-tq2_0.gguf missing");
    }

    void hparams_bitnet() {
        const auto m = Model::load(tq2_);
        const HParams& hp = m->hparams();
        QCOMPARE(hp.arch, Arch::Bitnet);
        QCOMPARE(hp.act, Activation::Silu);
        QCOMPARE(hp.n_embd, int64_t(256));
        QCOMPARE(hp.n_layer, int64_t(4));
        QCOMPARE(hp.n_head, int64_t(4));
        QCOMPARE(hp.n_head_kv, int64_t(4));
        QCOMPARE(hp.head_dim, int64_t(64));
        QCOMPARE(hp.n_ff, int64_t(512));
        QCOMPARE(hp.n_vocab, int64_t(512));
        QCOMPARE(m->info().ternary_type, std::string("TQ2_0"));
        QCOMPARE(m->info().embedding_type, std::string("Q6_K"));
        QVERIFY(m->info().supported);
        const ModelWeights& w = m->weights();
        QCOMPARE(w.layers[0].wq.kind, LinearWeight::Kind::Ternary);
        QCOMPARE(w.layers[0].w_down.ternary.group_size, int64_t(512));  // one scale per row
        QVERIFY(w.output_tied);
        QCOMPARE(w.output.kind, LinearWeight::Kind::Q8);  // ternary model: int8 head by default
        const auto float_head = Model::load(tq2_, LoadOptions{"auto", "float"});
        QCOMPARE(float_head->weights().output.kind, LinearWeight::Kind::F16);  // Q6_K -> F16
        QVERIFY(float_head->load_stats().weight_bytes_in_memory > m->load_stats().weight_bytes_in_memory);
        QVERIFY_THROWS_EXCEPTION(Error, Model::load(tq2_, LoadOptions{"auto", "q4"}));
        QVERIFY(m->load_stats().total_ms > 0);
        QVERIFY(m->load_stats().total_ms >= m->load_stats().repack_ms);
        QVERIFY(m->load_stats().weight_bytes_in_memory > 0);
        QCOMPARE(m->load_stats().file_bytes, uint64_t(QFileInfo(QString::fromStdString(tq2_)).size()));
    }

    void hparams_b158() {
        const auto path = tbtest::fixture_path("b158-tiny-i2_s.gguf");
        if (path.empty()) QSKIP("b158-tiny-i2_s.gguf not found (shared fixtures absent)");
        const auto m = Model::load(path);
        QCOMPARE(m->hparams().arch, Arch::BitnetB158);
        QCOMPARE(m->hparams().act, Activation::ReluSquared);
        QCOMPARE(m->hparams().n_head_kv, int64_t(1));
        QCOMPARE(m->hparams().rope_base, 500000.0f);
        QCOMPARE(m->weights().layers[0].wk.rows, int64_t(64));
        QCOMPARE(m->info().ternary_type, std::string("I2_S"));
    }

    void hidden_activation_key() {
        QTemporaryDir dir;
        const std::string out = (dir.path() + "/relu2.gguf").toStdString();
        tbtest::rewrite_gguf(tq2_, out, [](GgufWriter& w) { w.add_string("bitnet.hidden_activation", "relu2"); });
        QCOMPARE(Model::load(out)->hparams().act, Activation::ReluSquared);
        const QString err = load_error<UnsupportedError>(dir.path(), tq2_, [](GgufWriter& w) {
            w.add_string("bitnet.hidden_activation", "gelu");
        });
        QVERIFY2(err.contains("gelu"), qPrintable(err));
    }

    void unknown_arch_is_named() {
        QTemporaryDir dir;
        const QString err = load_error<UnsupportedError>(dir.path(), tq2_, [](GgufWriter& w) {
            w.add_string("general.architecture", "mamba9");
        });
        QVERIFY2(err.contains("mamba9"), qPrintable(err));
        // inspect() reports it instead of throwing.
        const auto info = Model::inspect((dir.path() + "/bad.gguf").toStdString());
        QVERIFY(!info.supported);
        QVERIFY(QString::fromStdString(info.unsupported_reason).contains("mamba9"));
        QVERIFY(!info.tensors.empty());
    }

    void missing_tensor_is_named() {
        QTemporaryDir dir;
        const QString err = load_error<FormatError>(dir.path(), tq2_, [](GgufWriter&) {},
                                                    [](GgufTensorInfo& t) { return t.name != "blk.2.ffn_up.weight"; });
        QVERIFY2(err.contains("blk.2.ffn_up.weight") && err.contains("missing"), qPrintable(err));
    }

    void wrong_shape_is_named() {
        QTemporaryDir dir;
        // Declare 2 KV heads: attn_k/attn_v (256 rows) no longer match n_head_kv * head_dim = 128.
        const QString err = load_error<FormatError>(dir.path(), tq2_, [](GgufWriter& w) {
            w.add_u32("bitnet.attention.head_count_kv", 2);
        });
        QVERIFY2(err.contains("blk.0.attn_k.weight") && err.contains("shape"), qPrintable(err));
    }

    // Optional `<name>.scale` tensors multiply the outputs: doubling every TQ2_0 block scale of
    // attn_q / ffn_down and adding a 0.5 scale tensor gives the same logits (powers of two
    // are exact), while the doubled weights alone do not.
    void per_tensor_scale_tensors() {
        QTemporaryDir dir;
        auto write = [&](const std::string& out, bool with_scale) {
            auto f = GgufFile::open(tq2_);
            GgufWriter w;
            for (const auto& [k, v] : f->metadata())
                if (k != "general.alignment") w.add_value(k, v);
            for (const GgufTensorInfo& t : f->tensors()) {
                const auto b = f->tensor_bytes(t);
                std::vector<uint8_t> data(b.begin(), b.end());
                const bool scaled = t.name.ends_with("attn_q.weight") || t.name.ends_with("ffn_down.weight");
                if (scaled) {
                    QCOMPARE(t.type_id, 35u);
                    for (size_t blk = 0; blk + 66 <= data.size(); blk += 66) {
                        uint16_t d;
                        memcpy(&d, &data[blk + 64], 2);
                        d = f32_to_f16(2.0f * f16_to_f32(d));
                        memcpy(&data[blk + 64], &d, 2);
                    }
                }
                w.add_tensor(t.name, t.type_id, t.ne, std::move(data));
                if (scaled && with_scale) {
                    const float half = 0.5f;
                    std::vector<uint8_t> sb(4);
                    memcpy(sb.data(), &half, 4);
                    w.add_tensor(t.name.substr(0, t.name.size() - 7) + ".scale", 0, {1}, sb);
                }
            }
            w.write(out);
        };
        const std::string with = (dir.path() + "/with.gguf").toStdString(), without = (dir.path() + "/without.gguf").toStdString();
        write(with, true);
        write(without, false);
        const std::vector<int32_t> tokens = {1, 300, 400, 500, 42};
        auto logits = [&](const std::string& path) {
            const auto m = Model::load(path);
            Session s(m, SessionOptions{32, 1, nullptr});
            const auto l = s.eval(tokens, true);
            return std::vector<float>(l.begin(), l.end());
        };
        const auto base = logits(tq2_), scaled = logits(with), unscaled = logits(without);
        QVERIFY(Model::load(with)->weights().layers[1].w_down.has_out_scale);
        QVERIFY(scaled == base);
        QVERIFY(unscaled != base);
    }

    void missing_file_is_an_error() {
        QVERIFY_THROWS_EXCEPTION(Error, Model::load("/nonexistent/model.gguf"));
    }

    void load_uses_the_threads_asked_for() {
        // A 1-thread run's load is measured on one thread, not on a pool of every core.
        LoadOptions one;
        one.threads = 1;
        QCOMPARE(Model::load(tq2_, one)->load_stats().repack_threads, 1);
        LoadOptions two;
        two.threads = 2;
        QCOMPARE(Model::load(tq2_, two)->load_stats().repack_threads, 2);
        QVERIFY(Model::load(tq2_)->load_stats().repack_threads >= 1);   // 0: the physical cores
    }

    // The decode read roof reads exactly the matrices' bytes: each ternary matrix's codes and
    // the int8 head, nothing twice, nothing left out.
    void weight_read_probe_reads_every_matrix() {
        for (int threads : {1, 3}) {
            LoadOptions lo;
            lo.threads = threads;
            auto model = Model::load(tq2_, lo);
            const ModelWeights& w = model->weights();
            uint64_t expected = 0;
            for (const LayerWeights& l : w.layers)
                for (const LinearWeight* m : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w_gate, &l.w_up, &l.w_down}) {
                    QCOMPARE(m->kind, LinearWeight::Kind::Ternary);
                    expected += static_cast<uint64_t>(m->rows * m->cols / 4);
                }
            QCOMPARE(w.output.kind, LinearWeight::Kind::Q8);
            expected += static_cast<uint64_t>(w.output.rows * w.output.cols);
            QCOMPARE(weight_read_bytes(*model), expected);
            QVERIFY(expected <= model->load_stats().weight_bytes_in_memory);
            ThreadPool pool(threads);
            const double gbs = measure_weight_read_gbs(*model, pool, 2);
            QVERIFY2(gbs > 0 && std::isfinite(gbs), std::to_string(gbs).c_str());
            QVERIFY_THROWS_EXCEPTION(Error, measure_weight_read_gbs(*model, pool, 0));
        }
    }

    void unknown_kernel_is_an_error() {
        QVERIFY_THROWS_EXCEPTION(Error, Model::load(tq2_, LoadOptions{"no-such-kernel"}));
    }

    void inspect_supported_file() {
        const auto info = Model::inspect(tq2_);
        QVERIFY(info.supported);
        QCOMPARE(info.hparams.n_layer, int64_t(4));
        QCOMPARE(info.tokenizer_model, std::string("llama"));
        QVERIFY(info.n_params > 0);
        QCOMPARE(info.tensors.size(), size_t(2 + 4 * 11));
    }
};

QTEST_APPLESS_MAIN(TestModel)
#include "test_model.moc"
