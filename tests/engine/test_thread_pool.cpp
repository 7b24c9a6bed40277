// The persistent compute pool: coverage of parallel_for, equal results for 1 and many threads,
// serialized concurrent callers, nested calls, and the sleep path after the spin budget.
#include <QtTest>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "engine/base/error.h"
#include "engine/base/thread_pool.h"
#include "engine/base/thread_pool_testing.h"

using namespace tern;

class TestThreadPool : public QObject {
    Q_OBJECT
private slots:
    // Regression: when the system refused a thread (ulimit -u), the constructor's unwinding
    // destroyed the condition variable the workers already started were waiting on, and the
    // process hung for good. Now it is an error naming the cause, and the pool can be retried.
    void refusedThreadIsAnErrorNotADeadlock() {
        std::atomic<bool> done{false};
        std::string message;
        std::thread attempt([&] {
            tern::fail_thread_start_for_testing(3);   // the first two workers start, the third fails
            try {
                ThreadPool pool(6);
            } catch (const tern::Error& e) {
                message = e.what();
            }
            tern::fail_thread_start_for_testing(-1);
            done = true;
        });
        for (int i = 0; i < 600 && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (!done) {
            attempt.detach();
            QFAIL("the pool constructor hung after a refused thread");
        }
        attempt.join();
        QVERIFY2(message.find("cannot start 6 compute threads") != std::string::npos, message.c_str());
        QVERIFY2(message.find("worker thread 3 of 5") != std::string::npos, message.c_str());
        ThreadPool again(6);   // nothing left behind: a new pool works
        std::atomic<int> calls{0};
        again.run([&](int, int) { calls.fetch_add(1); });
        QCOMPARE(calls.load(), 6);
    }

    void runCallsEveryIndexOnce() {
        for (int threads : {1, 2, 3, 5}) {
            ThreadPool pool(threads);
            QCOMPARE(pool.size(), threads);
            for (int rep = 0; rep < 50; ++rep) {
                std::vector<std::atomic<int>> hits(static_cast<size_t>(threads));
                std::atomic<int> bad_count{0};
                pool.run([&](int t, int nt) {
                    if (nt != threads || t < 0 || t >= nt) bad_count.fetch_add(1);
                    else hits[static_cast<size_t>(t)].fetch_add(1);
                });
                QCOMPARE(bad_count.load(), 0);
                for (auto& h : hits) QCOMPARE(h.load(), 1);
            }
        }
    }

    void parallelForCoversEachIndexOnce() {
        for (int threads : {1, 2, 3, 4, 7})
            for (int64_t n : {int64_t(0), int64_t(1), int64_t(2), int64_t(7), int64_t(64), int64_t(1000), int64_t(4099)})
                for (int64_t grain : {int64_t(0), int64_t(1), int64_t(3), int64_t(8), int64_t(64), int64_t(5000)}) {
                    ThreadPool pool(threads);
                    std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
                    std::atomic<int> misaligned{0};
                    pool.parallel_for(n, grain, [&](int64_t b, int64_t e) {
                        const int64_t g = std::max<int64_t>(grain, 1);
                        if (b % g != 0 || b >= e || e > n) misaligned.fetch_add(1);
                        for (int64_t i = b; i < e && i < n; ++i) hits[static_cast<size_t>(i)].fetch_add(1);
                    });
                    QCOMPARE(misaligned.load(), 0);
                    for (int64_t i = 0; i < n; ++i)
                        QVERIFY2(hits[static_cast<size_t>(i)].load() == 1,
                                 qPrintable(QString("threads=%1 n=%2 grain=%3 index %4 hit %5 times")
                                                .arg(threads).arg(n).arg(grain).arg(i)
                                                .arg(hits[static_cast<size_t>(i)].load())));
                }
    }

    void oneAndManyThreadsAgree() {
        // Per-index work written to distinct slots: identical output for any thread count.
        const int64_t n = 10007;
        auto compute = [&](int threads) {
            ThreadPool pool(threads);
            std::vector<double> out(static_cast<size_t>(n));
            pool.parallel_for(n, 16, [&](int64_t b, int64_t e) {
                for (int64_t i = b; i < e; ++i) out[static_cast<size_t>(i)] = double(i) * 0.5 + double(i % 7);
            });
            return out;
        };
        const auto one = compute(1);
        QCOMPARE(compute(2), one);
        QCOMPARE(compute(3), one);
    }

    void concurrentCallersAreSerialized() {
        ThreadPool pool(3);
        std::atomic<int> inside{0}, overlap{0}, jobs{0};
        auto caller = [&] {
            for (int i = 0; i < 200; ++i)
                pool.run([&](int t, int) {
                    if (t == 0) {
                        if (inside.fetch_add(1) != 0) overlap.fetch_add(1);
                        jobs.fetch_add(1);
                        inside.fetch_sub(1);
                    }
                });
        };
        std::vector<std::thread> callers;
        for (int c = 0; c < 4; ++c) callers.emplace_back(caller);
        for (auto& t : callers) t.join();
        QCOMPARE(overlap.load(), 0);
        QCOMPARE(jobs.load(), 800);
    }

    void nestedCallRunsInline() {
        ThreadPool pool(2);
        std::atomic<int> inner{0};
        pool.run([&](int, int) {
            pool.parallel_for(10, 1, [&](int64_t b, int64_t e) { inner.fetch_add(int(e - b)); });
        });
        QCOMPARE(inner.load(), 20);  // each of the 2 outer indices covered 10 items
    }

    void wakesAfterSleeping() {
        // Longer than the spin budget between jobs: workers go to sleep and must wake up.
        qputenv("TERNBENCH_SPIN_US", "0");
        ThreadPool pool(3);
        qunsetenv("TERNBENCH_SPIN_US");
        for (int rep = 0; rep < 5; ++rep) {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            std::atomic<int> count{0};
            pool.run([&](int, int) { count.fetch_add(1); });
            QCOMPARE(count.load(), 3);
        }
    }

    // Workers that arrive later than the spin budget (their CPU taken) cut the budget to a
    // tenth; jobs on time bring it back.
    void spinAdaptsToLateWorkers() {
        if (std::thread::hardware_concurrency() < 2) QSKIP("the pool does not spin on one CPU");
        qputenv("TERNBENCH_SPIN_US", "100000");
        ThreadPool pool(2);
        qunsetenv("TERNBENCH_SPIN_US");
        QCOMPARE(pool.current_spin_microseconds(), 100000);
        for (int rep = 0; rep < 2; ++rep)
            pool.run([&](int t, int) {
                // Far past the 100 ms budget: only a caller descheduled for the whole 500 ms
                // beyond it could see this job as on time.
                if (t == 1) std::this_thread::sleep_for(std::chrono::milliseconds(600));
            });
        QCOMPARE(pool.current_spin_microseconds(), 10000);
        for (int rep = 0; rep < 2000 && pool.current_spin_microseconds() != 100000; ++rep)
            pool.run([&](int, int) {});
        QCOMPARE(pool.current_spin_microseconds(), 100000);
    }

    void settingsAndCores() {
        QVERIFY(ThreadPool::physical_cores() >= 1);
        ThreadPool automatic(0);
        QCOMPARE(automatic.size(), ThreadPool::physical_cores());
        qputenv("TERNBENCH_PIN", "1");
        QVERIFY(ThreadPool::pin_from_env());
        {
            ThreadPool pinned(2);
            std::atomic<int> count{0};
            pinned.run([&](int, int) { count.fetch_add(1); });
            QCOMPARE(count.load(), 2);
        }
        qputenv("TERNBENCH_PIN", "0");
        QVERIFY(!ThreadPool::pin_from_env());
        qunsetenv("TERNBENCH_PIN");
        qputenv("TERNBENCH_SPIN_US", "250");
        QCOMPARE(ThreadPool::spin_microseconds(), 250);
        qputenv("TERNBENCH_SPIN_US", "junk");
        QCOMPARE(ThreadPool::spin_microseconds(), 100);
        qunsetenv("TERNBENCH_SPIN_US");
    }
};

QTEST_APPLESS_MAIN(TestThreadPool)
#include "test_thread_pool.moc"
