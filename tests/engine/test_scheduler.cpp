// Continuous batching: batched sequences produce what each produces alone; requests join and
// leave; cancellation; on_done exactly once.
#include <QtTest>

#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "engine/model/model.h"
#include "engine/runtime/scheduler.h"
#include "engine/runtime/session.h"
#include "engine/model_test_support.h"

using namespace tern;

namespace {
GenerationParams greedy(int max_tokens) {
    GenerationParams p;
    p.max_tokens = max_tokens;
    p.stop_at_eog = false;
    return p;
}

struct Collector {
    std::mutex m;
    std::map<int, GenerationResult> results;
    std::map<int, int> done_calls;
    std::map<int, std::vector<int32_t>> streamed;
    SchedulerRequest request(int key, std::vector<int32_t> prompt, GenerationParams p) {
        SchedulerRequest r;
        r.prompt = std::move(prompt);
        r.params = p;
        r.on_token = [this, key](const TokenEvent& e) {
            std::lock_guard lk(m);
            streamed[key].push_back(e.id);
        };
        r.on_done = [this, key](const GenerationResult& res) {
            std::lock_guard lk(m);
            results[key] = res;
            ++done_calls[key];
        };
        return r;
    }
};
}  // namespace

class TestScheduler : public QObject {
    Q_OBJECT
    std::shared_ptr<const Model> model_;
    std::vector<std::vector<int32_t>> prompts_;
private slots:
    void initTestCase() {
        const auto path = tbtest::fixture_path("tiny-tq2_0.gguf");
        QVERIFY(!path.empty());
        model_ = Model::load(path);
        for (const char* text : {"Hello world", "The quick brown fox jumps", "a", "Once upon a time there was",
                                 "1 2 3 4 5 6 7 8 9 10", "zzz"})
            prompts_.push_back(model_->tokenizer().encode(text, true));
    }

    void batched_equals_alone_data() {
        QTest::addColumn<int>("max_batch");
        QTest::addColumn<int>("threads");
        QTest::addColumn<bool>("sampled");
        QTest::newRow("batch 3, 1 thread") << 3 << 1 << false;
        QTest::newRow("batch 8, 2 threads") << 8 << 2 << false;
        // Sequences draw on several threads at once; each keeps its own seeded sampler.
        QTest::newRow("batch 8, 3 threads, top-p") << 8 << 3 << true;
        QTest::newRow("batch 2, 2 threads, top-p") << 2 << 2 << true;
    }
    void batched_equals_alone() {
        QFETCH(int, max_batch);
        QFETCH(int, threads);
        QFETCH(bool, sampled);
        const auto params = [&](size_t i) {
            GenerationParams p = greedy(6 + 3 * int(i));
            if (sampled) {
                p.sampling.temperature = 1.5f;
                p.sampling.top_p = 0.95f;
                p.sampling.seed = 1000 + i;
            }
            return p;
        };
        // Different lengths so sequences finish at different steps and queued ones join mid-way.
        std::vector<std::vector<int32_t>> alone;
        for (size_t i = 0; i < prompts_.size(); ++i) {
            Session s(model_, SessionOptions{128, 1, nullptr});
            alone.push_back(generate(s, prompts_[i], params(i)).tokens);
        }
        Collector c;
        std::set<std::thread::id> token_threads;
        {
            Scheduler sched(model_, SchedulerOptions{max_batch, 128, threads});
            for (size_t i = 0; i < prompts_.size(); ++i) {
                auto req = c.request(int(i), prompts_[i], params(i));
                auto inner = req.on_token;
                req.on_token = [&, inner](const TokenEvent& e) {
                    inner(e);
                    std::lock_guard lk(c.m);
                    token_threads.insert(std::this_thread::get_id());
                };
                sched.submit(std::move(req));
            }
            sched.wait_idle();
            QCOMPARE(sched.in_flight(), size_t(0));
        }
        // Callbacks come from the scheduler's own thread only, whatever thread sampled.
        QCOMPARE(token_threads.size(), size_t(1));
        QVERIFY(*token_threads.begin() != std::this_thread::get_id());
        for (size_t i = 0; i < prompts_.size(); ++i) {
            QCOMPARE(c.done_calls[int(i)], 1);
            const auto& r = c.results[int(i)];
            QCOMPARE(r.stop, StopReason::MaxTokens);
            QCOMPARE(r.tokens, alone[i]);
            QCOMPARE(c.streamed[int(i)], alone[i]);
            QCOMPARE(r.token_times.size(), alone[i].size());
            QVERIFY(r.prefill_done >= r.submitted);
        }
    }

    void cancel_one_and_all() {
        Collector c;
        // Declared before the scheduler, which outlives their use. The first token holds the
        // scheduler's thread until both cancels are in, so they land before the 400 tokens
        // however the two threads are scheduled.
        std::atomic<bool> started{false};
        std::promise<void> cancels_sent;
        std::shared_future<void> cancels_in = cancels_sent.get_future().share();
        Scheduler sched(model_, SchedulerOptions{2, 512, 1});
        Scheduler::RequestId first = 0;
        auto req = c.request(0, prompts_[0], greedy(400));
        auto inner = req.on_token;
        req.on_token = [&, inner, cancels_in](const TokenEvent& e) {
            inner(e);
            if (!started.exchange(true)) cancels_in.wait();
        };
        first = sched.submit(std::move(req));
        for (int i = 1; i <= 4; ++i) sched.submit(c.request(i, prompts_[size_t(i)], greedy(400)));
        while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        sched.cancel(first);
        sched.cancel_all();
        cancels_sent.set_value();
        sched.wait_idle();
        QCOMPARE(sched.in_flight(), size_t(0));
        for (int i = 0; i <= 4; ++i) {
            QCOMPARE(c.done_calls[i], 1);
            QCOMPARE(c.results[i].stop, StopReason::Cancelled);
            QVERIFY(c.results[i].tokens.size() < 400);
        }
        // The scheduler keeps working after a cancel_all.
        sched.submit(c.request(9, prompts_[0], greedy(3)));
        sched.wait_idle();
        QCOMPARE(c.results[9].tokens.size(), size_t(3));
    }

    void bad_request_does_not_disturb_others() {
        Collector c;
        Scheduler sched(model_, SchedulerOptions{4, 64, 1});
        sched.submit(c.request(0, {1, 100000}, greedy(5)));
        sched.submit(c.request(1, prompts_[1], greedy(5)));
        sched.submit(c.request(2, std::vector<int32_t>(100, 5), greedy(5)));  // longer than n_ctx 64
        sched.submit(c.request(3, {}, greedy(5)));
        sched.wait_idle();
        QCOMPARE(c.results[0].stop, StopReason::Error);
        QVERIFY2(QString::fromStdString(c.results[0].error).contains("100000"), c.results[0].error.c_str());
        QCOMPARE(c.results[1].stop, StopReason::MaxTokens);
        QCOMPARE(c.results[1].tokens.size(), size_t(5));
        QCOMPARE(c.results[2].stop, StopReason::ContextFull);
        QCOMPARE(c.results[3].stop, StopReason::Error);
        for (int i = 0; i < 4; ++i) QCOMPARE(c.done_calls[i], 1);
    }

    void destructor_finishes_everything() {
        Collector c;
        {
            Scheduler sched(model_, SchedulerOptions{2, 512, 1});
            for (int i = 0; i < 5; ++i) sched.submit(c.request(i, prompts_[size_t(i)], greedy(300)));
        }
        for (int i = 0; i < 5; ++i) QCOMPARE(c.done_calls[i], 1);
    }
};

QTEST_APPLESS_MAIN(TestScheduler)
#include "test_scheduler.moc"
