// Sessions: errors for bad input, reset, and one shared Model used from many threads.
#include <QtTest>

#include <thread>

#include "engine/model/model.h"
#include "engine/base/error.h"
#include "engine/runtime/session.h"
#include "engine/model_test_support.h"

using namespace tern;

class TestSession : public QObject {
    Q_OBJECT
    std::shared_ptr<const Model> model_;
private slots:
    void initTestCase() {
        const auto path = tbtest::fixture_path("tiny-tq2_0.gguf");
        QVERIFY(!path.empty());
        model_ = Model::load(path);
    }

    void token_out_of_range() {
        Session s(model_, SessionOptions{64, 1, nullptr});
        const std::vector<int32_t> bad = {1, 2, 512};
        try {
            s.eval(bad);
            QFAIL("no error");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("512") && QString(e.what()).contains("out of range"), e.what());
        }
        QCOMPARE(s.n_past(), int64_t(0));  // nothing was evaluated
        const std::vector<int32_t> neg = {-1};
        QVERIFY_THROWS_EXCEPTION(Error, s.eval(neg));
    }

    void context_overflow() {
        Session s(model_, SessionOptions{16, 1, nullptr});
        QCOMPARE(s.n_ctx(), int64_t(16));
        std::vector<int32_t> t(10, 5);
        s.eval(t);
        try {
            s.eval(t);
            QFAIL("no error");
        } catch (const Error& e) {
            QCOMPARE(QString(e.what()), QString("context full: 10 + 10 tokens > n_ctx 16"));
        }
        QCOMPARE(s.n_past(), int64_t(10));
        std::vector<int32_t> six(6, 7);
        s.eval(six);  // exactly fills the context
        QCOMPARE(s.n_past(), int64_t(16));
    }

    void empty_eval_is_an_error() {
        Session s(model_, SessionOptions{16, 1, nullptr});
        QVERIFY_THROWS_EXCEPTION(Error, s.eval(std::span<const int32_t>()));
    }

    void default_context() {
        Session s(model_);
        QCOMPARE(s.n_ctx(), int64_t(2048));  // the model's training context (< 4096)
    }

    void reset_gives_the_same_logits() {
        Session s(model_, SessionOptions{64, 1, nullptr});
        const std::vector<int32_t> t = {1, 10, 20, 30};
        const auto a = s.eval(t);
        const std::vector<float> first(a.begin(), a.end());
        s.reset();
        QCOMPARE(s.n_past(), int64_t(0));
        const auto b = s.eval(t);
        QVERIFY(std::equal(first.begin(), first.end(), b.begin()));
        QCOMPARE(first.size(), size_t(512));
    }

    // One Model, four threads, each with its own Session: identical logits everywhere.
    void threads_share_one_model() {
        const std::vector<int32_t> t = {1, 300, 400, 500, 42, 7, 99, 250};
        std::vector<std::vector<float>> out(4);
        std::vector<std::thread> threads;
        for (int i = 0; i < 4; ++i)
            threads.emplace_back([&, i] {
                Session s(model_, SessionOptions{64, 1, nullptr});
                std::vector<float> all;
                for (int rep = 0; rep < 3; ++rep) {
                    s.reset();
                    const auto l = s.eval(t, true);
                    all.assign(l.begin(), l.end());
                    for (int32_t id : {5, 6, 7}) {  // and a few decode steps
                        const auto d = s.eval(std::span<const int32_t>(&id, 1));
                        all.insert(all.end(), d.begin(), d.end());
                    }
                }
                out[size_t(i)] = std::move(all);
            });
        for (auto& th : threads) th.join();
        QCOMPARE(out[0].size(), size_t((8 + 3) * 512));
        for (int i = 1; i < 4; ++i) QVERIFY(out[size_t(i)] == out[0]);
    }

    // A session with 2 compute threads computes what a 1-thread session computes.
    void thread_count_does_not_change_logits() {
        // Long enough that attention and every product take the parallel paths.
        std::vector<int32_t> t;
        for (int i = 0; i < 48; ++i) t.push_back((i * 37 + 11) % 512);
        Session one(model_, SessionOptions{64, 1, nullptr});
        Session two(model_, SessionOptions{64, 2, nullptr});
        const auto a = one.eval(t, true);
        const std::vector<float> va(a.begin(), a.end());
        const auto b = two.eval(t, true);
        QVERIFY(std::equal(va.begin(), va.end(), b.begin(), b.end()));
    }
};

QTEST_APPLESS_MAIN(TestSession)
#include "test_session.moc"
