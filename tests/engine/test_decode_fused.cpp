// Decode steps take fused parallel regions (q/k/v + attention per KV head range, gate+up with
// the activation; engine/model/qkv_attention.h, blocks.h): their logits must be the very bits
// the unfused prefill path computes for the same positions, for every kernel set, one sequence
// or several at once, on threads that do and do not take the fused attention.
#include <QtTest>

#include <vector>

#include "engine/base/thread_pool.h"
#include "engine/model/forward.h"
#include "engine/model/kv_cache.h"
#include "engine/model/model.h"
#include "engine/model/qkv_attention.h"
#include "engine/model_test_support.h"

using namespace tern;

namespace {
std::vector<int32_t> tokens(int n, int seed) {
    std::vector<int32_t> t;
    for (int i = 0; i < n; ++i) t.push_back((i * 37 + seed * 101 + 11) % 512);
    return t;
}

// Logits of the last token of `prompt` from one prefill (all tokens in one batch: unfused).
std::vector<float> prefill_last(const Model& m, ThreadPool& pool, const std::vector<int32_t>& prompt, KvType type) {
    KvCache kv(m.hparams(), 64, type);
    ForwardWorkspace ws;
    const SeqBatch b[] = {{&kv, prompt, false}};
    forward(m, b, pool, ws);
    const auto l = sequence_logits(m, ws, 0);
    return {l.begin(), l.end()};
}
}  // namespace

class TestDecodeFused : public QObject {
    Q_OBJECT
    std::string path_;
private slots:
    void initTestCase() {
        path_ = tbtest::fixture_path("tiny-tq2_0.gguf");
        QVERIFY(!path_.empty());
    }

    void fused_region_is_chosen_for_decode_only() {
        const auto m = Model::load(path_);
        KvCache kv(m->hparams(), 16);
        const std::vector<int32_t> one = {5}, two = {5, 6};
        const SeqBatch d[] = {{&kv, one, false}, {&kv, one, false}};
        const SeqBatch p[] = {{&kv, two, false}};
        QCOMPARE(m->hparams().n_head_kv, int64_t(4));
        QVERIFY(qkv_attention_applies(m->hparams(), d, 1));
        QVERIFY(!qkv_attention_applies(m->hparams(), p, 1));
        QVERIFY(!qkv_attention_applies(m->hparams(), d, 2));  // 4 KV heads do not balance 2 threads
    }

    // Token by token (decode) == the prefill's last row, bit for bit, F16 and F32 caches.
    void decode_equals_prefill() {
        for (const KernelSet* k : available_kernels()) {
            LoadOptions lo;
            lo.kernel = k->name;
            const auto m = Model::load(path_, lo);
            for (int threads : {1, 3}) {
                ThreadPool pool(threads);
                for (KvType type : {KvType::F16, KvType::F32}) {
                    const std::vector<int32_t> all = tokens(40, threads);
                    KvCache kv(m->hparams(), 64, type);
                    ForwardWorkspace ws;
                    for (size_t i = 0; i < all.size(); ++i) {
                        const SeqBatch b[] = {{&kv, std::span<const int32_t>(&all[i], 1), false}};
                        forward(*m, b, pool, ws);
                        if (i % 13 != 12 && i + 1 != all.size()) continue;
                        const std::vector<int32_t> prefix(all.begin(), all.begin() + static_cast<long>(i) + 1);
                        const auto want = prefill_last(*m, pool, prefix, type);
                        const auto got = sequence_logits(*m, ws, 0);
                        QVERIFY2(std::equal(want.begin(), want.end(), got.begin(), got.end()),
                                 qPrintable(QString("%1, %2 threads, position %3").arg(k->name).arg(threads).arg(i)));
                    }
                }
            }
        }
    }

    // Three sequences of different lengths decoded together in one step (the scheduler's batch).
    void batched_decode_equals_prefill() {
        const auto m = Model::load(path_);
        ThreadPool pool(1);
        std::vector<std::vector<int32_t>> prompts = {tokens(7, 1), tokens(3, 2), tokens(19, 3)};
        std::vector<KvCache> kv;
        for (size_t s = 0; s < prompts.size(); ++s) kv.emplace_back(m->hparams(), 64, KvType::F16);
        ForwardWorkspace ws;
        for (size_t s = 0; s < prompts.size(); ++s) {
            const SeqBatch b[] = {{&kv[s], prompts[s], false}};
            forward(*m, b, pool, ws);
        }
        const std::vector<int32_t> next = {42, 43, 44};
        std::vector<SeqBatch> step;
        for (size_t s = 0; s < prompts.size(); ++s) step.push_back({&kv[s], std::span<const int32_t>(&next[s], 1), false});
        forward(*m, step, pool, ws);
        for (size_t s = 0; s < prompts.size(); ++s) {
            std::vector<int32_t> full = prompts[s];
            full.push_back(next[s]);
            const auto want = prefill_last(*m, pool, full, KvType::F16);
            const auto got = sequence_logits(*m, ws, s);
            QVERIFY2(std::equal(want.begin(), want.end(), got.begin(), got.end()), qPrintable(QString("sequence %1").arg(s)));
        }
    }
};

QTEST_APPLESS_MAIN(TestDecodeFused)
#include "test_decode_fused.moc"
