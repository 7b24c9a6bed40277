// Crash safety and concurrency: a writer killed with SIGKILL mid-run leaves a sound database
// whose run reads `interrupted`; a run still live in another process is left alone; a reader
// sees consistent data while another connection writes (WAL).
#include <QtTest>

#include <atomic>
#include <csignal>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

#include "db/run_store.h"
#include "store_test_support.h"

using namespace tbdb;

namespace {

tbdb::RunRecord heavy_run(int seed) {
    RunRecord r = tbtest::full_run("server", seed);
    r.requests.clear();
    for (int i = 0; i < 40; ++i) {
        RequestRecord q;
        q.index = i;
        q.output_tokens = 100;
        q.ttft_ms = 10.0 + i;
        for (int t = 0; t < 100; ++t) q.token_times_ms.push_back(10.0f + 5.0f * t);
        r.requests.push_back(std::move(q));
    }
    return r;
}

// The child: begins a run, reports its id, then writes runs until it is killed.
[[noreturn]] void writer_child(const std::string& path, int report_fd) {
    try {
        RunStore store(path);
        RunRecord run = tbtest::full_run("server");
        store.begin_run(run);
        if (::write(report_fd, &run.id, sizeof run.id) != sizeof run.id) _exit(3);
        for (int i = 0;; ++i) {
            RunRecord r = heavy_run(i);
            store.insert_run(r);
            const char tick = '.';
            if (::write(report_fd, &tick, 1) != 1) _exit(3);
        }
    } catch (...) {
        _exit(2);
    }
}

bool read_exact(int fd, void* out, size_t n) {
    auto* p = static_cast<char*>(out);
    while (n > 0) {
        const ssize_t got = ::read(fd, p, n);
        if (got <= 0) return false;
        p += got;
        n -= static_cast<size_t>(got);
    }
    return true;
}

}  // namespace

class TestCrash : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void killed_writer_leaves_interrupted_run() {
        const std::string path = dir_.filePath("crash.sqlite").toStdString();
        { RunStore create(path); }   // schema exists before the child starts
        int fds[2];
        QVERIFY(::pipe(fds) == 0);
        const pid_t child = ::fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            ::close(fds[0]);
            writer_child(path, fds[1]);
        }
        ::close(fds[1]);
        int64_t run_id = 0;
        QVERIFY2(read_exact(fds[0], &run_id, sizeof run_id), "child did not start its run");
        char ticks[8];
        QVERIFY2(read_exact(fds[0], ticks, sizeof ticks), "child did not write runs");

        {
            // The child is alive: its run must NOT be marked interrupted by another process.
            RunStore other(path);
            auto live = other.load_run(run_id);
            QVERIFY(live);
            QCOMPARE(live->status, RunStatus::Running);
        }
        // Let it get well into its next transactions, then kill it without warning.
        QVERIFY(read_exact(fds[0], ticks, 2));
        ::kill(child, SIGKILL);
        int status = 0;
        QCOMPARE(::waitpid(child, &status, 0), child);
        QVERIFY(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        ::close(fds[0]);
        // The killed writer never closed: its write-ahead log is still there to recover.
        QVERIFY(QFileInfo(QString::fromStdString(path + "-wal")).size() > 0);

        RunStore store(path);
        const auto problems = store.integrity_check();
        QVERIFY2(problems.empty(), problems.empty() ? "" : problems[0].c_str());
        auto run = store.load_run(run_id);
        QVERIFY(run);
        QCOMPARE(run->status, RunStatus::Interrupted);
        QVERIFY2(run->error.find(std::to_string(child)) != std::string::npos, run->error.c_str());
        // Every run the child committed is complete (all-or-nothing transactions).
        const auto listed = store.list_runs();
        QVERIFY(listed.size() >= 11);
        for (const RunSummary& s : listed) {
            if (s.id == run_id) continue;
            auto full = store.load_run(s.id);
            QVERIFY(full);
            QCOMPARE(full->requests.size(), size_t{40});
            QCOMPARE(full->requests.back().token_times_ms.size(), size_t{100});
            QCOMPARE(full->metrics.size(), size_t{4});
        }
    }

    void live_run_in_this_process_is_left_alone() {
        const std::string path = dir_.filePath("live.sqlite").toStdString();
        RunStore writer(path);
        RunRecord run = tbtest::full_run();
        writer.begin_run(run);
        RunStore reader(path);
        QCOMPARE(reader.load_run(run.id)->status, RunStatus::Running);
        run.status = RunStatus::Completed;
        writer.finish_run(run);
        QCOMPARE(reader.load_run(run.id)->status, RunStatus::Completed);
    }

    // Two stores on one file in two threads: the reader never sees a run without all of its
    // metrics, and sees the count grow to the end.
    void reader_beside_writer() {
        const std::string path = dir_.filePath("wal.sqlite").toStdString();
        RunStore reader(path);
        constexpr int kRuns = 150;
        std::atomic<bool> done{false};
        std::string writer_error;
        std::thread writer_thread([&] {
            try {
                RunStore writer(path);
                for (int i = 0; i < kRuns; ++i) {
                    RunRecord r = tbtest::full_run("batch", i);
                    writer.insert_run(r);
                }
            } catch (const std::exception& e) {
                writer_error = e.what();
            }
            done = true;
        });
        size_t last_count = 0, reads = 0, inconsistent = 0;
        const size_t metrics_per_run = tbtest::full_run().metrics.size();
        for (bool finished = false; !finished;) {
            finished = done.load();   // one more full read after the writer ends
            const auto runs = reader.list_runs();
            ++reads;
            if (runs.size() < last_count) ++inconsistent;
            last_count = runs.size();
            for (const RunSummary& s : runs)
                if (s.metrics.size() != metrics_per_run) ++inconsistent;
            if (!runs.empty()) {
                auto newest = reader.load_run(runs.back().id);
                if (!newest || newest->requests.size() != 2 || newest->samples.size() != 2)
                    ++inconsistent;
            }
        }
        writer_thread.join();
        QVERIFY2(writer_error.empty(), writer_error.c_str());
        QCOMPARE(inconsistent, size_t{0});
        QCOMPARE(last_count, size_t{kRuns});
        QVERIFY(reads >= 1);
        qInfo("reader made %zu consistent reads while the writer wrote", reads);
    }
};

QTEST_APPLESS_MAIN(TestCrash)
#include "test_crash.moc"
