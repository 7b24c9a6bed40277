// --forbid-tokens / --forbid-byte-tokens in-process: the ids a server is sent as logit_bias
// reach the engine's sampler as (id, -inf), so both sides of a comparison forbid the same
// tokens; ids outside the vocabulary are a stored failed run naming the id.
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <set>

#include "app/core/runner.h"
#include "app/workloads/forbidden_tokens.h"
#include "app/workloads/workload_common.h"
#include "db/run_store.h"
#include "engine/model/model.h"
#include "engine/runtime/generate.h"
#include "engine/runtime/session.h"

using namespace bench;

class TestForbiddenTokens : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    const std::string file_ = std::string(TB_FIXTURES_DIR) + "/tiny-tq2_0.gguf";

    BenchmarkSpec greedy_single() {
        BenchmarkSpec s;
        s.workload = "single";
        s.model_path = file_;
        s.repetitions = 1;
        s.warmup = 0;
        s.max_tokens = 8;
        s.temperature = 0;
        s.threads = 1;
        s.ignore_eos = true;
        s.prompts = {"Hello world"};
        return s;
    }

    // Greedy tokens of the first prompt with the spec's generation parameters in-process.
    std::vector<int32_t> generate_with(const BenchmarkSpec& spec, const std::shared_ptr<const tern::Model>& model,
                                       tern::GenerationParams* params_out = nullptr) {
        tbdb::RunRecord run;
        const auto t0 = std::chrono::steady_clock::now();
        RunEvents events(nullptr, 0, t0);
        WorkloadContext ctx{spec, file_, model, spec.prompts, 1, run, events, nullptr, t0};
        ctx.forbidden_tokens = forbidden_token_ids(spec, &model->tokenizer().vocab());
        const auto params = generation_params(ctx, 0);
        if (params_out) *params_out = params;
        tern::SessionOptions so;
        so.threads = 1;
        tern::Session session(model, so);
        const auto& tok = model->tokenizer();
        const auto prompt = tok.encode(spec.prompts[0], tok.vocab().add_bos);
        return tern::generate(session, prompt, params).tokens;
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        if (qgetenv("TERNBENCH_CACHE_DIR").isEmpty()) qputenv("TERNBENCH_CACHE_DIR", dir_.filePath("cache").toUtf8());
    }

    void ids_sorted_unique_and_byte_tokens_added() {
        tern::Vocab v;
        v.tokens = {"a", "<0x00>", "b", "<0x01>"};
        v.types = {tern::TokenType::Normal, tern::TokenType::Byte, tern::TokenType::Normal, tern::TokenType::Byte};
        BenchmarkSpec s;
        s.forbid_tokens = {2, 0, 2};
        QCOMPARE(forbidden_token_ids(s, &v), (std::vector<int32_t>{0, 2}));
        s.forbid_byte_tokens = true;
        QCOMPARE(forbidden_token_ids(s, &v), (std::vector<int32_t>{0, 1, 2, 3}));
        s.forbid_tokens = {4};
        try {
            forbidden_token_ids(s, &v);
            QFAIL("an id outside the vocabulary was accepted");
        } catch (const std::exception& e) {
            QVERIFY2(QString(e.what()).contains("token id 4 is outside the model's vocabulary of 4"), e.what());
        }
        s.forbid_tokens = {};
        QVERIFY_THROWS_EXCEPTION(std::exception, forbidden_token_ids(s, nullptr));  // bytes need a vocabulary
    }

    void sampler_never_picks_a_forbidden_token() {
        tern::LoadOptions lo;
        lo.threads = 1;
        std::shared_ptr<const tern::Model> model = tern::Model::load(file_, lo);
        BenchmarkSpec plain = greedy_single();
        const auto free_run = generate_with(plain, model);
        QVERIFY(!free_run.empty());

        // Forbid what greedy picked first (and the byte tokens): every pick avoids them.
        BenchmarkSpec forbid = plain;
        forbid.forbid_tokens = {free_run[0]};
        forbid.forbid_byte_tokens = true;
        tern::GenerationParams params;
        const auto forbidden_run = generate_with(forbid, model, &params);
        const auto ids = forbidden_token_ids(forbid, &model->tokenizer().vocab());
        QCOMPARE(params.sampling.logit_bias.size(), ids.size());
        for (size_t i = 0; i < ids.size(); ++i) {
            QCOMPARE(params.sampling.logit_bias[i].first, ids[i]);
            QVERIFY(std::isinf(params.sampling.logit_bias[i].second) && params.sampling.logit_bias[i].second < 0);
        }
        QCOMPARE(forbidden_run.size(), free_run.size());
        const std::set<int32_t> banned(ids.begin(), ids.end());
        for (int32_t t : forbidden_run) QVERIFY2(!banned.count(t), qPrintable(QString("picked forbidden %1").arg(t)));
        QVERIFY(forbidden_run[0] != free_run[0]);
    }

    void runner_accepts_forbidden_tokens_in_process() {
        tbdb::RunStore store(dir_.filePath("f.sqlite").toStdString());
        Runner runner(store);
        BenchmarkSpec s = greedy_single();
        s.forbid_tokens = {3, 4, 5};
        s.forbid_byte_tokens = true;
        const auto run = runner.run(s);
        QVERIFY2(run.status == tbdb::RunStatus::Completed, run.error.c_str());

        s.forbid_tokens = {10000000};
        const auto bad = runner.run(s);
        QCOMPARE(bad.status, tbdb::RunStatus::Failed);
        QVERIFY(bad.id > 0);   // stored, with the id named
        QVERIFY2(QString::fromStdString(bad.error).contains("token id 10000000 is outside"), bad.error.c_str());
        QVERIFY(runner.last_failed_on_input());
    }
};

QTEST_GUILESS_MAIN(TestForbiddenTokens)
#include "test_forbidden_tokens.moc"
