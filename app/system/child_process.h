#pragma once
// Runs an external program (llama-bench, llama-server, llama-perplexity, `ternbench
// __load-probe`) so that it can never outlive ternbench or hold it up:
//
//  - it runs in its own process group under a tiny supervisor process (the group leader);
//    a timeout, a cancel, stop() or destroying the ChildProcess kills the whole group;
//  - it gets only stdin (/dev/null), stdout and stderr (pipes to us): every other descriptor of
//    ternbench is closed before exec, whether or not it was opened close-on-exec;
//  - when ternbench dies (even kill -9) the supervisor sees its lifeline pipe close and kills
//    the group; when the supervisor dies the program gets SIGKILL (PR_SET_PDEATHSIG);
//  - waiting never depends on the pipes closing: a descendant that escaped the group (setsid)
//    and keeps stdout/stderr open does not delay the end past a short grace, and is killed
//    (the supervisor is their child subreaper);
//  - its environment carries TERNBENCH_WRITER=<our pid>:<start>, so should supervisor and
//    ternbench both be killed, a store marking the run interrupted names what was left running.
//
// Blocking use: run_child(). Long-running use (a server): start a ChildProcess, read its output
// while it runs, stop() it. All members are thread-safe.
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace bench::sys {

struct ChildResult {
    bool started = false;
    std::string start_error;       // why it could not start (missing, not executable, ...)
    int exit_code = -1;            // when it exited normally
    int term_signal = 0;           // when killed by a signal (then exit_code is -1)
    bool timed_out = false;        // we killed it after the timeout
    bool cancelled = false;        // we killed it because the cancel flag rose
    std::string out, err;          // everything it printed (each capped, keeping the tail)
    std::chrono::steady_clock::time_point spawned;  // just before the program was forked
    double wall_ms = 0;

    bool ok() const { return started && !timed_out && !cancelled && term_signal == 0 && exit_code == 0; }
    // "exited with status 3", "killed by signal 11 (SIGSEGV)", "timed out after 2 s", ...
    std::string describe() const;
    // The last `max_bytes` of stderr (for error messages), empty when it printed nothing.
    std::string stderr_tail(size_t max_bytes = 600) const;
};

class ChildProcess {
public:
    // Starts `program` (a path, or a name searched in PATH) with `args`. Never throws for a
    // program that cannot start: started() is false and start_error() says why.
    ChildProcess(const std::string& program, const std::vector<std::string>& args);
    ~ChildProcess();   // kills the group if it still runs, and reaps it
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    bool started() const;
    std::string start_error() const;
    pid_t process_group() const;   // the group to kill (the supervisor's pid); 0 when not started
    bool exited() const;           // the program has ended (exit or signal)
    // Waits at most `limit` for the program to end by itself (nothing is killed); whether it
    // has. Its end is reported by the supervisor a moment after it happens.
    bool wait_for_exit(std::chrono::milliseconds limit) const;

    // Waits until the program ended and its output was read, the timeout passed (0: none) or
    // `cancel` rose; the last two kill the group. Returns everything known. Call it once.
    ChildResult wait(std::chrono::milliseconds timeout, const std::atomic<bool>* cancel = nullptr);
    // SIGTERM to the group, then SIGKILL when it still runs after `grace`; then waits for it.
    ChildResult stop(std::chrono::milliseconds grace = std::chrono::seconds(2));
    void kill_group();             // SIGKILL to the whole group now (does not wait)

    // What it printed so far (while it runs).
    std::string stdout_so_far() const;
    std::string stderr_so_far() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Starts the program and waits for it (ChildProcess::wait).
ChildResult run_child(const std::string& program, const std::vector<std::string>& args,
                      std::chrono::milliseconds timeout,
                      const std::atomic<bool>* cancel = nullptr);

// Absolute path of a program: as given when it contains '/', else searched in PATH.
// Empty when not found or not executable.
std::string find_program(const std::string& name);

// This executable (for spawning ourselves): set by main(), else /proc/self/exe.
void set_self_executable(const std::string& path);
std::string self_executable();

std::string signal_name(int sig);  // "SIGSEGV"

// True when some process still belongs to process group `pgid` (a group a killed ternbench
// may have left behind).
bool process_group_alive(pid_t pgid);

}  // namespace bench::sys
