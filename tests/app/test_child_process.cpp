// Child processes can never outlive ternbench or hold it up: only stdin/stdout/stderr reach the
// program, a timeout or cancel kills its whole group even when a detached grandchild keeps the
// pipes open, leftovers die with the program, and a killed parent takes its children along.
// The only time limits are generous bounds that a hang would cross.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "app/system/child_process.h"
#include "db/run_store.h"

using namespace bench;
using namespace std::chrono_literals;

namespace {

bool alive(pid_t pid) {
    // A zombie is dead for our purpose: its state letter in /proc/<pid>/stat is Z.
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(f, line)) return false;
    const auto paren = line.rfind(')');
    return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] != 'Z';
}

// Waits (up to a bound only a hang crosses) for a process to be gone.
bool gone_within(pid_t pid, std::chrono::seconds bound) {
    const auto end = std::chrono::steady_clock::now() + bound;
    while (std::chrono::steady_clock::now() < end) {
        if (!alive(pid)) return true;
        std::this_thread::sleep_for(20ms);
    }
    return !alive(pid);
}

pid_t first_number(const std::string& text) {
    std::istringstream in(text);
    long v = 0;
    in >> v;
    return static_cast<pid_t>(v);
}

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

class TestChildProcess : public QObject {
    Q_OBJECT

private slots:
    void outcomes() {
        auto ok = sys::run_child("/bin/sh", {"-c", "echo out; echo err >&2; exit 3"}, 60s);
        QVERIFY(ok.started);
        QCOMPARE(ok.exit_code, 3);
        QCOMPARE(ok.out, std::string("out\n"));
        QCOMPARE(ok.err, std::string("err\n"));
        QCOMPARE(ok.stderr_tail(2), std::string("r\n"));
        auto sig = sys::run_child("/bin/sh", {"-c", "kill -KILL $$"}, 60s);
        QCOMPARE(sig.term_signal, 9);
        QVERIFY(sig.describe().find("SIGKILL") != std::string::npos);
        auto missing = sys::run_child("/no/such/program", {}, 1s);
        QVERIFY(!missing.started && !missing.describe().empty());
    }

    void exec_failure_is_a_start_error() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("not-a-program").toStdString();
        std::ofstream(path) << "\x7f" << "ELF garbage";
        ::chmod(path.c_str(), 0700);
        auto r = sys::run_child(path, {}, 60s);
        QVERIFY(!r.started);
        QVERIFY2(r.start_error.find("format") != std::string::npos, r.start_error.c_str());
    }

    void only_standard_descriptors_reach_the_program() {
        // Descriptors a careless part of ternbench opened without close-on-exec.
        int leaky_pipe[2];
        QCOMPARE(::pipe(leaky_pipe), 0);
        const int leaky_file = ::open("/dev/null", O_RDONLY);
        QVERIFY(leaky_file >= 0);
        // ls lists its own descriptors: the three standard ones and the folder it reads (3).
        auto r = sys::run_child("/bin/ls", {"/proc/self/fd"}, 60s);
        ::close(leaky_pipe[0]);
        ::close(leaky_pipe[1]);
        ::close(leaky_file);
        QVERIFY2(r.ok(), r.describe().c_str());
        QCOMPARE(r.out, std::string("0\n1\n2\n3\n"));
    }

    void detached_grandchild_does_not_hold_up_the_timeout() {
        // The grandchild leaves the group (setsid) and keeps stderr open; before the fix the
        // wait lasted until it ended (301 s).
        const auto t0 = std::chrono::steady_clock::now();
        auto r = sys::run_child(
            "/bin/sh", {"-c", "setsid sh -c 'echo $$ >&2; exec sleep 301' >/dev/null & sleep 300"},
            5s);  // time for the grandchild to print its pid on a busy machine
        QVERIFY(r.timed_out);
        QVERIFY2(seconds_since(t0) < 60, "the timeout did not end the wait");
        const pid_t grandchild = first_number(r.err);
        QVERIFY2(grandchild > 0, r.err.c_str());
        QVERIFY2(gone_within(grandchild, 30s), "the detached grandchild outlived the run");
    }

    void leftovers_die_with_the_program() {
        const auto t0 = std::chrono::steady_clock::now();
        auto r = sys::run_child("/bin/sh", {"-c", "sleep 300 & echo $!"}, 120s);
        QVERIFY2(r.ok(), r.describe().c_str());
        QVERIFY2(seconds_since(t0) < 60, "a background child holding stdout held up the wait");
        const pid_t left = first_number(r.out);
        QVERIFY(left > 0);
        QVERIFY(gone_within(left, 30s));
    }

    void cancel_kills_the_group() {
        std::atomic<bool> cancel{false};
        sys::ChildProcess child("/bin/sh", {"-c", "sleep 300 & echo $!; sleep 300"});
        QVERIFY(child.started());
        const pid_t group = child.process_group();
        QVERIFY(group > 0);
        std::thread raiser([&] {
            std::this_thread::sleep_for(200ms);
            cancel = true;
        });
        const auto t0 = std::chrono::steady_clock::now();
        auto r = child.wait(0ms, &cancel);
        raiser.join();
        QVERIFY(r.cancelled);
        QVERIFY(!r.ok());
        QVERIFY(seconds_since(t0) < 60);
        QVERIFY(gone_within(first_number(r.out), 30s));
        QVERIFY(!sys::process_group_alive(group));
    }

    void stop_lets_the_program_end_cleanly() {
        sys::ChildProcess child("/bin/sh", {"-c", "trap 'echo bye; exit 0' TERM; echo up; while :; do sleep 0.05; done"});
        QVERIFY(child.started());
        for (int i = 0; i < 600 && child.stdout_so_far().empty(); ++i) std::this_thread::sleep_for(50ms);
        QCOMPARE(child.stdout_so_far(), std::string("up\n"));
        auto r = child.stop(30s);
        QCOMPARE(r.exit_code, 0);
        QVERIFY2(r.out.find("bye") != std::string::npos, r.out.c_str());
        QVERIFY(child.exited());
    }

    void wait_for_exit_sees_the_program_end_without_killing_it() {
        sys::ChildProcess running("/bin/sh", {"-c", "sleep 300"});
        QVERIFY(running.started());
        QVERIFY(!running.wait_for_exit(100ms));   // still running, and left running
        QVERIFY(sys::process_group_alive(running.process_group()));
        sys::ChildProcess crashing("/bin/sh", {"-c", "kill -9 $$"});
        QVERIFY(crashing.wait_for_exit(60s));      // a bound only a hang crosses
        QCOMPARE(crashing.stop(1s).term_signal, SIGKILL);
    }

    void destroying_the_handle_kills_the_program() {
        pid_t group = 0;
        {
            sys::ChildProcess child("/bin/sh", {"-c", "sleep 300"});
            QVERIFY(child.started());
            group = child.process_group();
            QVERIFY(sys::process_group_alive(group));
        }
        QVERIFY(!sys::process_group_alive(group));
    }

    void children_die_with_a_killed_parent() {
        // A stand-in for ternbench (a forked copy of this test) starts a child and is then
        // killed with SIGKILL: nothing can run in it afterwards, yet its child must end.
        int report[2];
        QCOMPARE(::pipe(report), 0);
        const pid_t parent = ::fork();
        if (parent == 0) {
            ::close(report[0]);
            sys::ChildProcess child("/bin/sh", {"-c", "sleep 300 & echo $!; sleep 300"});
            while (child.stdout_so_far().empty()) std::this_thread::sleep_for(10ms);
            const std::string pids = std::to_string(child.process_group()) + " " + child.stdout_so_far();
            (void)!::write(report[1], pids.data(), pids.size());
            ::pause();
            ::_exit(0);
        }
        ::close(report[1]);
        char buf[128] = {};
        ssize_t got = 0;
        for (int tries = 0; tries < 1000 && got <= 0; ++tries) got = ::read(report[0], buf, sizeof buf - 1);
        ::close(report[0]);
        QVERIFY(got > 0);
        std::istringstream in(buf);
        long group = 0, background = 0;
        in >> group >> background;
        QVERIFY(group > 0 && background > 0);
        QVERIFY(alive(static_cast<pid_t>(background)));
        ::kill(parent, SIGKILL);
        int st = 0;
        ::waitpid(parent, &st, 0);
        QVERIFY2(gone_within(static_cast<pid_t>(background), 30s), "a child outlived its killed parent");
        QVERIFY(gone_within(static_cast<pid_t>(group), 30s));
    }

    // Should the supervisor die together with ternbench (both SIGKILLed), the program dies with
    // them (PDEATHSIG) but what it started in its group may survive: the store names it when
    // it marks the run interrupted.
    void stale_group_is_reported_with_the_interrupted_run() {
        QTemporaryDir dir;
        const std::string db = dir.filePath("stale.sqlite").toStdString();
        int report[2];
        QCOMPARE(::pipe(report), 0);
        const pid_t parent = ::fork();
        if (parent == 0) {
            ::close(report[0]);
            tbdb::RunStore store(db);
            tbdb::RunRecord run;
            run.workload = "tg";
            run.started_at = "2026-01-01T00:00:00Z";
            run.implementation = "llama-bench";
            store.begin_run(run);
            sys::ChildProcess child("/bin/sh", {"-c", "sleep 300 & echo $!; wait"});
            while (child.stdout_so_far().empty()) std::this_thread::sleep_for(10ms);
            const std::string pids = std::to_string(child.process_group()) + " " + child.stdout_so_far();
            (void)!::write(report[1], pids.data(), pids.size());
            ::pause();
            ::_exit(0);
        }
        ::close(report[1]);
        char buf[128] = {};
        ssize_t got = 0;
        for (int tries = 0; tries < 1000 && got <= 0; ++tries) got = ::read(report[0], buf, sizeof buf - 1);
        ::close(report[0]);
        QVERIFY(got > 0);
        std::istringstream in(buf);
        long program = 0, left = 0;
        in >> program >> left;
        QVERIFY(program > 0 && left > 0);
        // The supervisor is the program's parent: kill it and ternbench at once.
        std::ifstream stat("/proc/" + std::to_string(program) + "/stat");
        std::string line;
        std::getline(stat, line);
        std::istringstream fields(line.substr(line.rfind(')') + 2));
        std::string state;
        long supervisor = 0;
        fields >> state >> supervisor;
        QVERIFY(supervisor > 1);
        ::kill(static_cast<pid_t>(supervisor), SIGKILL);
        ::kill(parent, SIGKILL);
        int st = 0;
        ::waitpid(parent, &st, 0);
        QVERIFY(gone_within(static_cast<pid_t>(program), 30s));
        QVERIFY2(alive(static_cast<pid_t>(left)), "nothing was left behind to report");
        tbdb::RunStore store(db);   // opening marks the run interrupted
        const auto runs = store.list_runs();
        ::kill(static_cast<pid_t>(left), SIGKILL);
        QCOMPARE(runs.size(), size_t(1));
        QCOMPARE(runs[0].status, std::string("interrupted"));
        QVERIFY2(runs[0].error.find("still running (pids " + std::to_string(left)) != std::string::npos, runs[0].error.c_str());
        QVERIFY2(runs[0].error.find("kill -- -" + std::to_string(program)) != std::string::npos, runs[0].error.c_str());
    }
};

QTEST_APPLESS_MAIN(TestChildProcess)
#include "test_child_process.moc"
