#pragma once
// A long-running child program (llama-server) in its own process group: stdout and stderr go
// to one pipe whose tail is kept (bounded), stdin is /dev/null, every other descriptor is
// closed before exec, PR_SET_PDEATHSIG kills it if ternbench dies, and stop() ends the whole
// group: SIGTERM, then SIGKILL after a grace period.
// (Method names follow sys::ChildProcess of app/system/child_process.h, which is meant to
// replace this class once it offers long-running children.)
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace bench {

struct ServerExit {
    bool exited = false;
    int exit_code = -1;    // when it exited normally
    int term_signal = 0;   // when a signal ended it
    bool killed = false;   // we had to SIGKILL it after the grace period
    std::string describe() const;  // "exited with status 1", "killed by signal 9 (SIGKILL)"
};

class ServerChild {
public:
    // `program` must be a path (find_program resolves names first). Never throws for a program
    // that cannot start: started() is false and start_error() says why.
    ServerChild(const std::string& program, const std::vector<std::string>& args,
                size_t keep_output_bytes = 64 * 1024);
    ~ServerChild();  // kills the group if it still runs and reaps it
    ServerChild(const ServerChild&) = delete;
    ServerChild& operator=(const ServerChild&) = delete;

    bool started() const;
    const std::string& start_error() const;
    pid_t process_group() const;
    // Polls (non-blocking): the program has ended; exit_status() then tells how.
    bool exited();
    ServerExit exit_status() const;
    ServerExit stop(std::chrono::milliseconds grace = std::chrono::seconds(3));
    std::string output_so_far() const;   // the tail of stdout+stderr

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The last `max_bytes` of `text`, starting at a line boundary when one is near.
std::string tail_of(const std::string& text, size_t max_bytes);

}  // namespace bench
