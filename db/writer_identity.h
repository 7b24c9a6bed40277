#pragma once
// Identity of the process writing a run, stored in its row while it is `running`, so that on
// open a store can tell a run whose writer died (-> interrupted) from one still being written
// by another live process (e.g. the GUI and the CLI sharing one database).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tbdb {

struct WriterIdentity {
    int64_t pid = 0;
    int64_t start_ticks = 0;   // process start time since boot (/proc/PID/stat field 22)
    std::string boot_id;       // /proc/sys/kernel/random/boot_id
    std::string host;
};

WriterIdentity current_writer();

// True only when the recorded writer is certainly still running: same boot, the pid exists
// and (when recorded) started at the same time, so a recycled pid does not count. A writer on
// the same boot but another host name (a container sharing the kernel, whose pids are not
// visible here) is assumed alive: it cannot be checked from here.
bool writer_alive(std::optional<int64_t> pid, std::optional<int64_t> start_ticks,
                  const std::optional<std::string>& boot_id,
                  const std::optional<std::string>& host);

// The environment variable a ternbench sets in every program it starts (inherited by their
// children): "TERNBENCH_WRITER=<pid>:<start_ticks>" of the starting process.
std::string writer_environment_entry(const WriterIdentity& w);

struct LeftoverProcess {
    int64_t pid = 0, process_group = 0;
};
// Processes (other than this one) still carrying the environment entry of writer pid/start_ticks:
// what a killed ternbench left running. Only processes of this user can be seen.
std::vector<LeftoverProcess> leftover_processes(int64_t pid, int64_t start_ticks);

}  // namespace tbdb
