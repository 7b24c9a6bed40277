#pragma once
// Memory and CPU figures of a process from /proc (docs/ARCHITECTURE.md section 4): RssAnon and RssFile
// apart (mmapped weights are file memory), VmHWM as the peak, reset through clear_refs.
#include <optional>
#include <string>
#include <string_view>

namespace bench::sys {

struct ProcStatus {
    double vm_hwm_mb = 0, vm_rss_mb = 0, rss_anon_mb = 0, rss_file_mb = 0;
    int threads = 0;
};

// Parses the text of /proc/<pid>/status; nullopt when the needed fields are absent.
std::optional<ProcStatus> parse_proc_status(std::string_view text);
// Reads /proc/self/status (or another status file); nullopt when unreadable.
std::optional<ProcStatus> read_proc_status(const std::string& path = "/proc/self/status");

// Resets VmHWM to the current RSS by writing 5 to /proc/self/clear_refs. False when the kernel
// refuses (then a later peak includes earlier phases, and the caller must say so).
bool reset_peak_rss();

// CPU time of this process (all threads) so far.
struct CpuTimes {
    double user_s = 0, sys_s = 0;
};
CpuTimes process_cpu_times();

}  // namespace bench::sys
