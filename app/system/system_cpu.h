#pragma once
// The whole machine's CPU time from /proc/stat, to tell how much of it other processes and the
// hypervisor took while a workload ran: a busy or oversubscribed machine measures low, and the
// run should say so instead of passing for the engine's speed.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bench::sys {

// The aggregate "cpu" line of /proc/stat, in clock ticks (USER_HZ) since boot.
struct SystemCpu {
    uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    uint64_t total() const { return user + nice + system + idle + iowait + irq + softirq + steal; }
    uint64_t busy() const { return user + nice + system + irq + softirq; }  // by any process
};

// nullopt when the text has no well-formed "cpu " line (fewer than eight numbers).
std::optional<SystemCpu> parse_proc_stat(std::string_view text);
// nullopt when unreadable (not Linux, /proc not mounted).
std::optional<SystemCpu> read_system_cpu(const std::string& path = "/proc/stat");

// What others took between two snapshots, in % of all CPU time of the machine.
struct CpuInterference {
    double steal_pct = 0;  // the hypervisor ran other guests on our virtual CPUs
    double other_pct = 0;  // busy time not spent by this process (other processes, their kernel work)
};
// own_cpu_s: this process's user + system seconds over the same interval. nullopt when no tick
// passed between the snapshots (too short to tell).
std::optional<CpuInterference> cpu_interference(const SystemCpu& before, const SystemCpu& after, double own_cpu_s,
                                                double ticks_per_s);

}  // namespace bench::sys
