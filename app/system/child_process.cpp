#include "app/system/child_process.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <thread>

#include "db/writer_identity.h"

extern char** environ;

namespace bench::sys {
namespace {

using Clock = std::chrono::steady_clock;

// Messages from the supervisor on the status pipe: one write each (atomic below PIPE_BUF).
enum : int32_t { kMsgStarted = 1, kMsgExecFailed = 2, kMsgExited = 3 };
struct Message {
    int32_t kind;
    int32_t value;        // program pid / errno / wait status
    int64_t monotonic_ns; // kMsgStarted: CLOCK_MONOTONIC just before the program's fork
};

constexpr size_t kMaxCapture = 32u << 20;       // per stream; older output is dropped beyond it
constexpr auto kDrainGrace = std::chrono::milliseconds(300);   // output still coming after exit

// ---- Code run between fork and exec: async-signal-safe calls only (no malloc, no locks). ----

void close_range_raw(unsigned first, unsigned last) {
    if (first > last) return;
#ifdef SYS_close_range
    if (::syscall(SYS_close_range, first, last, 0) == 0) return;
#endif
    rlimit rl{};
    unsigned top = 65536;
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < top)
        top = static_cast<unsigned>(rl.rlim_cur);
    for (unsigned fd = first; fd <= last && fd < top; ++fd) ::close(static_cast<int>(fd));
}

// Closes every descriptor except keep[0..n) (ascending).
void close_all_except(const int* keep, int n) {
    unsigned from = 0;
    for (int i = 0; i < n; ++i) {
        const auto k = static_cast<unsigned>(keep[i]);
        if (k > from) close_range_raw(from, k - 1);
        from = k + 1;
    }
    close_range_raw(from, ~0u);
}

void sort_small(int* a, int n) {
    for (int i = 1; i < n; ++i)
        for (int j = i; j > 0 && a[j - 1] > a[j]; --j) std::swap(a[j - 1], a[j]);
}

void set_all_signals(void (*handler)(int)) {
    struct sigaction sa {};
    sa.sa_handler = handler;
    for (int s = 1; s < NSIG; ++s) ::sigaction(s, &sa, nullptr);   // fails for KILL/STOP: fine
}

bool write_all(int fd, const void* p, size_t n) {
    const char* c = static_cast<const char*>(p);
    while (n > 0) {
        const ssize_t w = ::write(fd, c, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        c += w;
        n -= static_cast<size_t>(w);
    }
    return true;
}

// Parses "pid (comm) S ppid ..." from a /proc/<pid>/stat buffer; -1 when malformed.
long ppid_from_stat(const char* buf, ssize_t n) {
    ssize_t close_paren = -1;
    for (ssize_t i = 0; i < n; ++i)
        if (buf[i] == ')') close_paren = i;
    if (close_paren < 0 || close_paren + 4 >= n) return -1;
    long v = 0;
    bool any = false;
    for (ssize_t i = close_paren + 4; i < n && buf[i] >= '0' && buf[i] <= '9'; ++i) {
        v = v * 10 + (buf[i] - '0');
        any = true;
    }
    return any ? v : -1;
}

// SIGKILLs every process whose parent is `self` (descendants reparented to the supervisor,
// its child subreaper); returns how many it found.
int kill_own_children(pid_t self) {
    int found = 0;
    const int dir = ::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return 0;
    alignas(8) char entries[4096];
    for (;;) {
        const long n = ::syscall(SYS_getdents64, dir, entries, sizeof entries);
        if (n <= 0) break;
        for (long off = 0; off < n;) {
            struct Entry {
                uint64_t ino;
                int64_t off;
                unsigned short reclen;
                unsigned char type;
                char name[1];
            };
            const auto* e = reinterpret_cast<const Entry*>(entries + off);
            off += e->reclen;
            long pid = 0;
            bool numeric = e->name[0] != '\0';
            for (const char* c = e->name; *c; ++c) {
                if (*c < '0' || *c > '9') numeric = false;
                else pid = pid * 10 + (*c - '0');
            }
            if (!numeric || pid == self) continue;
            char path[64] = "/proc/";
            size_t len = 6;
            for (const char* c = e->name; *c && len < 50; ++c) path[len++] = *c;
            const char tail[] = "/stat";
            for (size_t i = 0; i < sizeof tail; ++i) path[len + i] = tail[i];
            const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
            if (fd < 0) continue;
            char stat[512];
            const ssize_t got = ::read(fd, stat, sizeof stat);
            ::close(fd);
            if (got > 0 && ppid_from_stat(stat, got) == self) {
                ::kill(static_cast<pid_t>(pid), SIGKILL);
                ++found;
            }
        }
    }
    ::close(dir);
    return found;
}

void sleep_ms(long ms) {
    timespec ts{ms / 1000, (ms % 1000) * 1000000L};
    while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

// Kills the program's group and everything that was reparented to the supervisor, and reaps
// them (bounded: about a second).
void kill_everything(pid_t program_group, pid_t self) {
    if (program_group > 0) ::kill(-program_group, SIGKILL);
    for (int round = 0; round < 40; ++round) {
        int status = 0;
        while (::waitpid(-1, &status, WNOHANG) > 0) {
        }
        if (kill_own_children(self) == 0) return;
        sleep_ms(25);
    }
}

// The supervisor: starts the program in its own group, reports to the parent, and kills the
// group when the program ends or the parent's lifeline closes (the parent died or gave up).
[[noreturn]] void supervise(const char* exe, char* const* argv, char* const* envp, int devnull,
                            int out_w, int err_w, int life_r, int status_w) {
    const pid_t self = ::getpid();
    ::setpgid(0, 0);   // out of ternbench's group: the terminal's Ctrl-C goes to ternbench only
    set_all_signals(SIG_IGN);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    ::sigaction(SIGCHLD, &dfl, nullptr);   // ignored, children would be reaped unseen
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    // Our own high copies of what we need, then nothing else.
    int keep[5] = {::fcntl(devnull, F_DUPFD_CLOEXEC, 10), ::fcntl(out_w, F_DUPFD_CLOEXEC, 10),
                   ::fcntl(err_w, F_DUPFD_CLOEXEC, 10), ::fcntl(life_r, F_DUPFD_CLOEXEC, 10),
                   ::fcntl(status_w, F_DUPFD_CLOEXEC, 10)};
    const int nul = keep[0], out = keep[1], err = keep[2], life = keep[3], status = keep[4];
    for (int fd : keep)
        if (fd < 0) ::_exit(120);
    ::dup2(nul, 0);
    ::dup2(nul, 1);
    ::dup2(nul, 2);
    int sorted[8] = {0, 1, 2, nul, out, err, life, status};
    sort_small(sorted, 8);
    close_all_except(sorted, 8);
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);   // escaped descendants come back to us to be killed

    int exec_pipe[2];
    if (::pipe2(exec_pipe, O_CLOEXEC) != 0) {
        const Message m{kMsgExecFailed, errno, 0};
        write_all(status, &m, sizeof m);
        ::_exit(121);
    }
    timespec before_fork{};
    ::clock_gettime(CLOCK_MONOTONIC, &before_fork);
    const pid_t program = ::fork();
    if (program == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);   // the supervisor died: so do we
        if (::getppid() != self) ::_exit(127);
        ::setpgid(0, 0);
        set_all_signals(SIG_DFL);
        ::dup2(nul, 0);
        ::dup2(out, 1);
        ::dup2(err, 2);
        int only[4] = {0, 1, 2, exec_pipe[1]};
        sort_small(only, 4);
        close_all_except(only, 4);
        ::execve(exe, argv, envp);
        const int e = errno;
        write_all(exec_pipe[1], &e, sizeof e);
        ::_exit(127);
    }
    if (program < 0) {
        const Message m{kMsgExecFailed, errno, 0};
        write_all(status, &m, sizeof m);
        ::_exit(121);
    }
    ::setpgid(program, program);   // also here: the group exists before the parent hears of it
    ::close(exec_pipe[1]);
    ::close(out);
    ::close(err);
    int exec_errno = 0;
    ssize_t got;
    while ((got = ::read(exec_pipe[0], &exec_errno, sizeof exec_errno)) < 0 && errno == EINTR) {
    }
    ::close(exec_pipe[0]);
    if (got == static_cast<ssize_t>(sizeof exec_errno)) {
        int st = 0;
        ::waitpid(program, &st, 0);
        const Message m{kMsgExecFailed, exec_errno, 0};
        write_all(status, &m, sizeof m);
        ::_exit(0);
    }
    const Message started{kMsgStarted, program,
                          int64_t(before_fork.tv_sec) * 1000000000 + before_fork.tv_nsec};
    write_all(status, &started, sizeof started);

    for (;;) {
        pollfd p{life, POLLIN, 0};
        const int ready = ::poll(&p, 1, 25);
        if (ready > 0) {
            char c;
            if (::read(life, &c, 1) <= 0) {   // the parent is gone (or let go): end it all
                kill_everything(program, self);
                ::_exit(0);
            }
        }
        int st = 0;
        pid_t reaped;
        while ((reaped = ::waitpid(-1, &st, WNOHANG)) > 0) {
            if (reaped != program) continue;   // an orphan reparented to us
            const Message m{kMsgExited, st, 0};
            write_all(status, &m, sizeof m);
            kill_everything(program, self);    // what it left behind goes with it
            ::_exit(0);
        }
    }
}

// ---- Parent side ----

void append_capped(std::string& sink, const char* data, size_t n) {
    sink.append(data, n);
    if (sink.size() > kMaxCapture) sink.erase(0, sink.size() - kMaxCapture / 2);
}

std::mutex self_mu;
std::string self_path;

}  // namespace

struct ChildProcess::Impl {
    mutable std::mutex mu;
    std::condition_variable cv;
    ChildResult result;
    pid_t supervisor = 0;
    pid_t program = 0;           // = its process group
    int out_r = -1, err_r = -1, status_r = -1, life_w = -1;
    bool program_ended = false;  // exit status known (or the supervisor vanished)
    bool finished = false;       // ended, output drained, supervisor reaped
    std::thread pump;

    void start(const std::string& program_name, const std::vector<std::string>& args);
    void pump_loop();
    void kill_group() {
        std::lock_guard lock(mu);
        if (program > 0 && !finished) ::kill(-program, SIGKILL);
    }
    void close_fds() {
        for (int* fd : {&out_r, &err_r, &status_r, &life_w})
            if (*fd >= 0) {
                ::close(*fd);
                *fd = -1;
            }
    }
};

void ChildProcess::Impl::start(const std::string& program_name, const std::vector<std::string>& args) {
    const std::string exe = find_program(program_name);
    if (exe.empty()) {
        result.start_error = "program not found or not executable: " + program_name;
        return;
    }
    // Everything the child side needs is prepared here: it may not allocate after fork.
    std::vector<std::string> arg_store;
    arg_store.push_back(exe);
    arg_store.insert(arg_store.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : arg_store) argv.push_back(a.data());
    argv.push_back(nullptr);
    // Our environment plus who started it: a store marking our run interrupted after we were
    // killed finds what we left running by this entry (its children inherit it).
    std::string marker = tbdb::writer_environment_entry(tbdb::current_writer());
    std::vector<char*> envp;
    for (char** e = environ; e && *e; ++e)
        if (std::strncmp(*e, "TERNBENCH_WRITER=", 17) != 0) envp.push_back(*e);
    envp.push_back(marker.data());
    envp.push_back(nullptr);

    int out[2] = {-1, -1}, err[2] = {-1, -1}, life[2] = {-1, -1}, status[2] = {-1, -1};
    const int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    auto close_pair = [](int* p) {
        for (int i = 0; i < 2; ++i)
            if (p[i] >= 0) ::close(p[i]);
    };
    if (devnull < 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0 ||
        ::pipe2(life, O_CLOEXEC) != 0 || ::pipe2(status, O_CLOEXEC) != 0) {
        result.start_error = std::string("cannot create pipes: ") + std::strerror(errno);
        for (int* p : {out, err, life, status}) close_pair(p);
        if (devnull >= 0) ::close(devnull);
        return;
    }
    result.spawned = Clock::now();
    const pid_t pid = ::fork();
    if (pid == 0)
        supervise(exe.c_str(), argv.data(), envp.data(), devnull, out[1], err[1], life[0], status[1]);
    const int fork_errno = errno;
    ::close(devnull);
    ::close(out[1]);
    ::close(err[1]);
    ::close(life[0]);
    ::close(status[1]);
    out_r = out[0];
    err_r = err[0];
    life_w = life[1];
    status_r = status[0];
    if (pid < 0) {
        result.start_error = std::string("cannot fork: ") + std::strerror(fork_errno);
        close_fds();
        return;
    }
    supervisor = pid;
    Message m{};
    ssize_t got;
    while ((got = ::read(status_r, &m, sizeof m)) < 0 && errno == EINTR) {
    }
    if (got != static_cast<ssize_t>(sizeof m) || m.kind != kMsgStarted) {
        result.start_error = got == static_cast<ssize_t>(sizeof m) && m.kind == kMsgExecFailed
                                 ? std::string(std::strerror(m.value)) + " (" + exe + ")"
                                 : "the supervisor process ended before starting " + exe;
        int st = 0;
        while (::waitpid(supervisor, &st, 0) < 0 && errno == EINTR) {
        }
        supervisor = 0;
        close_fds();
        return;
    }
    program = m.value;
    // The program's own fork, not the supervisor's: figures "from spawn" (the load workload)
    // do not include starting the supervisor (steady_clock is CLOCK_MONOTONIC on Linux).
    result.spawned = Clock::time_point(std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(m.monotonic_ns)));
    result.started = true;
    pump = std::thread([this] { pump_loop(); });
}

// Reads stdout/stderr and the supervisor's messages until the program ended and its output
// is drained (or the drain grace passed: an escaped descendant may hold the pipes).
void ChildProcess::Impl::pump_loop() {
    bool out_open = true, err_open = true, status_open = true;
    Clock::time_point ended_at{};
    char buf[8192];
    for (;;) {
        pollfd fds[3] = {{out_open ? out_r : -1, POLLIN, 0},
                         {err_open ? err_r : -1, POLLIN, 0},
                         {status_open ? status_r : -1, POLLIN, 0}};
        ::poll(fds, 3, 50);
        for (int i = 0; i < 2; ++i) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            std::lock_guard lock(mu);
            if (n <= 0) (i == 0 ? out_open : err_open) = false;
            else append_capped(i == 0 ? result.out : result.err, buf, static_cast<size_t>(n));
        }
        if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) {
            Message m{};
            const ssize_t n = ::read(status_r, &m, sizeof m);
            if (n < 0 && errno == EINTR) continue;
            std::lock_guard lock(mu);
            if (n == static_cast<ssize_t>(sizeof m) && m.kind == kMsgExited) {
                if (WIFEXITED(m.value)) result.exit_code = WEXITSTATUS(m.value);
                else if (WIFSIGNALED(m.value)) result.term_signal = WTERMSIG(m.value);
            } else if (n <= 0) {
                status_open = false;
                if (!program_ended && result.exit_code < 0 && result.term_signal == 0)
                    result.term_signal = SIGKILL;   // the supervisor vanished: PDEATHSIG killed it
            }
            if (!program_ended && (n <= 0 || m.kind == kMsgExited)) {
                program_ended = true;
                ended_at = Clock::now();
                result.wall_ms = std::chrono::duration<double, std::milli>(ended_at - result.spawned).count();
            }
            cv.notify_all();
        }
        std::lock_guard lock(mu);
        const bool drained = !out_open && !err_open;
        if (program_ended && !status_open && (drained || Clock::now() - ended_at > kDrainGrace)) break;
    }
    int st = 0;
    while (::waitpid(supervisor, &st, 0) < 0 && errno == EINTR) {
    }
    std::lock_guard lock(mu);
    finished = true;
    close_fds();
    cv.notify_all();
}

ChildProcess::ChildProcess(const std::string& program, const std::vector<std::string>& args)
    : impl_(std::make_unique<Impl>()) {
    impl_->start(program, args);
}

ChildProcess::~ChildProcess() {
    if (impl_->pump.joinable()) {
        impl_->kill_group();
        impl_->pump.join();
    }
}

bool ChildProcess::started() const { return impl_->result.started; }
std::string ChildProcess::start_error() const { return impl_->result.start_error; }
pid_t ChildProcess::process_group() const { return impl_->program; }

bool ChildProcess::exited() const {
    std::lock_guard lock(impl_->mu);
    return impl_->program_ended;
}

bool ChildProcess::wait_for_exit(std::chrono::milliseconds limit) const {
    std::unique_lock lock(impl_->mu);
    if (!impl_->result.started) return false;
    return impl_->cv.wait_for(lock, limit, [this] { return impl_->program_ended || impl_->finished; });
}

void ChildProcess::kill_group() { impl_->kill_group(); }

ChildResult ChildProcess::wait(std::chrono::milliseconds timeout, const std::atomic<bool>* cancel) {
    Impl& p = *impl_;
    if (!p.result.started) return p.result;
    const auto deadline = timeout.count() > 0 ? p.result.spawned + timeout : Clock::time_point::max();
    std::unique_lock lock(p.mu);
    while (!p.finished) {
        p.cv.wait_for(lock, std::chrono::milliseconds(50));
        if (p.program_ended || p.finished) continue;
        if (Clock::now() >= deadline && !p.result.timed_out) {
            p.result.timed_out = true;
            ::kill(-p.program, SIGKILL);
        } else if (cancel && cancel->load() && !p.result.cancelled && !p.result.timed_out) {
            p.result.cancelled = true;
            ::kill(-p.program, SIGKILL);
        }
    }
    lock.unlock();
    if (p.pump.joinable()) p.pump.join();
    return p.result;
}

ChildResult ChildProcess::stop(std::chrono::milliseconds grace) {
    Impl& p = *impl_;
    if (!p.result.started) return p.result;
    {
        std::unique_lock lock(p.mu);
        if (!p.finished) ::kill(-p.program, SIGTERM);
        p.cv.wait_for(lock, grace, [&] { return p.program_ended || p.finished; });
        if (!p.program_ended && !p.finished) ::kill(-p.program, SIGKILL);
    }
    return wait(std::chrono::milliseconds(0));
}

std::string ChildProcess::stdout_so_far() const {
    std::lock_guard lock(impl_->mu);
    return impl_->result.out;
}

std::string ChildProcess::stderr_so_far() const {
    std::lock_guard lock(impl_->mu);
    return impl_->result.err;
}

ChildResult run_child(const std::string& program, const std::vector<std::string>& args,
                      std::chrono::milliseconds timeout, const std::atomic<bool>* cancel) {
    ChildProcess child(program, args);
    return child.wait(timeout, cancel);
}

std::string signal_name(int sig) {
    const char* abbrev = sigabbrev_np(sig);
    return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

std::string ChildResult::describe() const {
    if (!started) return "could not start: " + start_error;
    std::ostringstream s;
    if (timed_out) s << "timed out after " << wall_ms / 1000.0 << " s and was killed";
    else if (cancelled) s << "cancelled and killed";
    else if (term_signal) s << "killed by signal " << term_signal << " (" << signal_name(term_signal) << ")";
    else s << "exited with status " << exit_code;
    return s.str();
}

std::string ChildResult::stderr_tail(size_t max_bytes) const {
    return err.size() > max_bytes ? err.substr(err.size() - max_bytes) : err;
}

bool process_group_alive(pid_t pgid) {
    if (pgid <= 0) return false;
    return ::kill(-pgid, 0) == 0 || errno == EPERM;
}

std::string find_program(const std::string& name) {
    namespace fs = std::filesystem;
    auto executable = [](const fs::path& p) {
        std::error_code ec;
        return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
    };
    if (name.empty()) return {};
    if (name.find('/') != std::string::npos) {
        std::error_code ec;
        return executable(name) ? fs::absolute(name, ec).string() : std::string();
    }
    const char* path = std::getenv("PATH");
    std::istringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
    std::string dir;
    while (std::getline(dirs, dir, ':'))
        if (!dir.empty() && executable(fs::path(dir) / name)) return (fs::path(dir) / name).string();
    return {};
}

void set_self_executable(const std::string& path) {
    std::lock_guard lock(self_mu);
    std::error_code ec;
    self_path = std::filesystem::absolute(path, ec).string();
}

std::string self_executable() {
    {
        std::lock_guard lock(self_mu);
        if (!self_path.empty()) return self_path;
    }
    std::error_code ec;
    return std::filesystem::read_symlink("/proc/self/exe", ec).string();
}

}  // namespace bench::sys
