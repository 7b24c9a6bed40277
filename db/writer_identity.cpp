#include "db/writer_identity.h"

#include <cerrno>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/types.h>
#include <unistd.h>

namespace tbdb {

namespace {

std::string read_first_line(const std::string& file) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
}

struct ProcStat {
    char state = 0;          // field 3: R, S, D, Z (zombie), X (dead), ...
    int64_t start_ticks = 0; // field 22
};

// /proc/PID/stat; state 0 when unreadable. The command name (field 2) may hold spaces and
// parentheses, so fields are counted after its last ')'.
ProcStat read_proc_stat(int64_t pid) {
    ProcStat st;
    const std::string stat = read_first_line("/proc/" + std::to_string(pid) + "/stat");
    const auto close = stat.rfind(')');
    if (close == std::string::npos) return st;
    std::istringstream rest(stat.substr(close + 1));
    std::string field;
    for (int index = 3; rest >> field && index <= 22; ++index) {
        if (index == 3) st.state = field.empty() ? 0 : field[0];
        if (index == 22) {
            try {
                st.start_ticks = std::stoll(field);
            } catch (...) {
                st.start_ticks = 0;
            }
        }
    }
    return st;
}

}  // namespace

WriterIdentity current_writer() {
    WriterIdentity w;
    w.pid = static_cast<int64_t>(::getpid());
    w.start_ticks = read_proc_stat(w.pid).start_ticks;
    w.boot_id = read_first_line("/proc/sys/kernel/random/boot_id");
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) == 0) w.host = name;
    return w;
}

std::string writer_environment_entry(const WriterIdentity& w) {
    return "TERNBENCH_WRITER=" + std::to_string(w.pid) + ":" + std::to_string(w.start_ticks);
}

std::vector<LeftoverProcess> leftover_processes(int64_t pid, int64_t start_ticks) {
    std::vector<LeftoverProcess> out;
    if (pid <= 0) return out;
    WriterIdentity w;
    w.pid = pid;
    w.start_ticks = start_ticks;
    const std::string entry = writer_environment_entry(w);
    const int64_t self = ::getpid();
    std::error_code ec;
    for (const auto& dir : std::filesystem::directory_iterator("/proc", ec)) {
        const std::string name = dir.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
        const int64_t other = std::stoll(name);
        if (other == self) continue;
        std::ifstream env(dir.path() / "environ", std::ios::binary);
        std::string var;
        bool carries = false;
        while (!carries && std::getline(env, var, '\0')) carries = var == entry;
        if (!carries) continue;
        // Field 5 of /proc/PID/stat, after the command name's last ')': the process group.
        const std::string stat = read_first_line("/proc/" + name + "/stat");
        const auto close = stat.rfind(')');
        std::istringstream rest(close == std::string::npos ? std::string() : stat.substr(close + 1));
        std::string state;
        int64_t ppid = 0, group = 0;
        rest >> state >> ppid >> group;
        if (state == "Z" || state == "X") continue;
        out.push_back({other, group});
    }
    return out;
}

bool writer_alive(std::optional<int64_t> pid, std::optional<int64_t> start_ticks,
                  const std::optional<std::string>& boot_id,
                  const std::optional<std::string>& host) {
    if (!pid || *pid <= 0 || !boot_id) return false;   // written before writers were recorded
    const WriterIdentity me = current_writer();
    if (*boot_id != me.boot_id) return false;           // the machine rebooted since
    // Same kernel but another host name: another container whose pids we cannot see.
    if (host && *host != me.host) return true;
    if (::kill(static_cast<pid_t>(*pid), 0) != 0 && errno != EPERM) return false;
    const ProcStat st = read_proc_stat(*pid);
    if (st.state == 0 || st.state == 'Z' || st.state == 'X') return false;   // gone or dying
    if (start_ticks && *start_ticks != 0 && st.start_ticks != *start_ticks)
        return false;                                     // pid recycled by another process
    return true;
}

}  // namespace tbdb
