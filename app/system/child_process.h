#pragma once
// Runs an external program (llama-bench, or `ternbench __load-probe`) through Boost.Process v2
// in its own process group, capturing stdout and stderr, with a timeout that kills the whole
// group (so a hung program and its children are gone), and cancellation.
#include <atomic>
#include <chrono>
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
    std::string out, err;
    std::chrono::steady_clock::time_point spawned;  // just before the fork
    double wall_ms = 0;

    bool ok() const { return started && !timed_out && !cancelled && term_signal == 0 && exit_code == 0; }
    // "exited with status 3", "killed by signal 11 (SIGSEGV)", "timed out after 2 s", ...
    std::string describe() const;
};

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

}  // namespace bench::sys
