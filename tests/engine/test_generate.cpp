// generate(): token events, stop reasons, cancellation and reproducible sampling.
#include <QtTest>

#include "engine/model/model.h"
#include "engine/runtime/generate.h"
#include "engine/runtime/session.h"
#include "engine/model_test_support.h"

using namespace tern;

namespace {
GenerationParams params(int max_tokens, float temperature = 0.0f, uint64_t seed = 42) {
    GenerationParams p;
    p.max_tokens = max_tokens;
    p.sampling.temperature = temperature;
    p.sampling.top_k = temperature > 0 ? 40 : 0;
    p.sampling.top_p = temperature > 0 ? 0.95f : 1.0f;
    p.sampling.seed = seed;
    p.stop_at_eog = false;
    return p;
}
}  // namespace

class TestGenerate : public QObject {
    Q_OBJECT
    std::shared_ptr<const Model> model_;
    std::vector<int32_t> prompt_;
private slots:
    void initTestCase() {
        const auto path = tbtest::fixture_path("tiny-tq2_0.gguf");
        QVERIFY(!path.empty());
        model_ = Model::load(path);
        prompt_ = model_->tokenizer().encode("Hello world, this is a test", true);
        QVERIFY(prompt_.size() > 3);
    }

    void greedy_events_and_times() {
        Session s(model_, SessionOptions{256, 1, nullptr});
        std::vector<TokenEvent> events;
        const auto before = Clock::now();
        const auto r = generate(s, prompt_, params(20), [&](const TokenEvent& e) { events.push_back(e); });
        QCOMPARE(r.stop, StopReason::MaxTokens);
        QCOMPARE(r.tokens.size(), size_t(20));
        QCOMPARE(r.prompt_tokens, int(prompt_.size()));
        QCOMPARE(events.size(), size_t(20));
        QCOMPARE(r.token_times.size(), size_t(20));
        std::string text;
        for (size_t i = 0; i < events.size(); ++i) {
            QCOMPARE(events[i].index, int(i));
            QCOMPARE(events[i].id, r.tokens[i]);
            QCOMPARE(events[i].time, r.token_times[i]);
            QCOMPARE(events[i].piece, model_->tokenizer().token_piece(r.tokens[i]));
            if (i) QVERIFY(r.token_times[i] >= r.token_times[i - 1]);
            text += events[i].piece;
        }
        QCOMPARE(r.text, text);
        QVERIFY(r.submitted >= before);
        QVERIFY(r.prefill_done >= r.submitted);
        QVERIFY(r.first_token >= r.prefill_done);
        QCOMPARE(r.first_token, r.token_times.front());
        QCOMPARE(r.last_token, r.token_times.back());
        QCOMPARE(s.n_past(), int64_t(prompt_.size() + 19));  // the last token is not evaluated

        // Greedy equals argmax of the logits of an independent evaluation.
        Session check(model_, SessionOptions{256, 1, nullptr});
        std::vector<int32_t> all = prompt_;
        all.insert(all.end(), r.tokens.begin(), r.tokens.end() - 1);
        const auto logits = check.eval(all, true);
        const int64_t V = model_->hparams().n_vocab;
        for (size_t i = 0; i < r.tokens.size(); ++i) {
            const float* row = logits.data() + (prompt_.size() - 1 + i) * V;
            QCOMPARE(int32_t(std::max_element(row, row + V) - row), r.tokens[i]);
        }
    }

    void sampling_is_reproducible() {
        auto run = [&](uint64_t seed) {
            Session s(model_, SessionOptions{256, 1, nullptr});
            return generate(s, prompt_, params(24, 0.9f, seed)).tokens;
        };
        const auto a = run(7), b = run(7);
        QCOMPARE(a, b);
        QCOMPARE(a.size(), size_t(24));
    }

    void cancellation() {
        Session s(model_, SessionOptions{256, 1, nullptr});
        std::atomic<bool> cancel{false};
        const auto r = generate(s, prompt_, params(100), [&](const TokenEvent& e) {
            if (e.index == 2) cancel = true;
        }, &cancel);
        QCOMPARE(r.stop, StopReason::Cancelled);
        QCOMPARE(r.tokens.size(), size_t(3));
        QCOMPARE(QString(stop_reason_name(r.stop)), QString("cancelled"));
    }

    void context_full_while_decoding() {
        const int n_ctx = int(prompt_.size()) + 4;
        Session s(model_, SessionOptions{n_ctx, 1, nullptr});
        const auto r = generate(s, prompt_, params(100));
        QCOMPARE(r.stop, StopReason::ContextFull);
        QCOMPARE(r.tokens.size(), size_t(5));  // 4 evaluated + the last one sampled
        QCOMPARE(s.n_past(), int64_t(n_ctx));
    }

    void prompt_longer_than_context() {
        Session s(model_, SessionOptions{4, 1, nullptr});
        const auto r = generate(s, prompt_, params(10));
        QCOMPARE(r.stop, StopReason::ContextFull);
        QVERIFY(r.tokens.empty());
        QVERIFY2(QString::fromStdString(r.error).contains("context full"), r.error.c_str());
    }

    void bad_prompt_is_an_error_result() {
        Session s(model_, SessionOptions{64, 1, nullptr});
        const std::vector<int32_t> bad = {1, 99999};
        const auto r = generate(s, bad, params(10));
        QCOMPARE(r.stop, StopReason::Error);
        QVERIFY2(QString::fromStdString(r.error).contains("99999"), r.error.c_str());
        const auto empty = generate(s, std::span<const int32_t>(), params(10));
        QCOMPARE(empty.stop, StopReason::Error);
    }

    void zero_max_tokens() {
        Session s(model_, SessionOptions{64, 1, nullptr});
        const auto r = generate(s, prompt_, params(0));
        QCOMPARE(r.stop, StopReason::MaxTokens);
        QVERIFY(r.tokens.empty());
    }
};

QTEST_APPLESS_MAIN(TestGenerate)
#include "test_generate.moc"
