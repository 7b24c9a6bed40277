#include "app/legacy/server_child.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

#include "app/system/child_process.h"

namespace bench {

std::string ServerExit::describe() const {
    if (!exited) return "still running";
    std::string s = term_signal ? "killed by signal " + std::to_string(term_signal) + " (" + sys::signal_name(term_signal) + ")"
                                : "exited with status " + std::to_string(exit_code);
    if (killed) s += " after it ignored SIGTERM";
    return s;
}

std::string tail_of(const std::string& text, size_t max_bytes) {
    if (text.size() <= max_bytes) return text;
    std::string t = text.substr(text.size() - max_bytes);
    const size_t nl = t.find('\n');
    if (nl != std::string::npos && nl < 200) t = t.substr(nl + 1);
    return t;
}

struct ServerChild::Impl {
    pid_t pid = 0;
    std::string start_error;
    size_t keep = 0;
    int out_fd = -1;
    mutable std::mutex mu;
    std::string out;
    ServerExit status;
    std::atomic<bool> stop_reading{false};
    std::thread reader;

    void append(const char* p, size_t n) {
        std::lock_guard lock(mu);
        out.append(p, n);
        if (out.size() > 2 * keep) out = out.substr(out.size() - keep);
    }
    void read_loop() {
        char buf[4096];
        while (!stop_reading) {
            pollfd pfd{out_fd, POLLIN, 0};
            const int r = ::poll(&pfd, 1, 100);
            if (r < 0 && errno != EINTR) break;
            if (r <= 0) continue;
            const ssize_t n = ::read(out_fd, buf, sizeof buf);
            if (n > 0) append(buf, size_t(n));
            else if (n == 0 || errno != EINTR) break;  // EOF: every writer is gone
        }
    }
    // Records a reaped status.
    void record(int st) {
        std::lock_guard lock(mu);
        status.exited = true;
        if (WIFEXITED(st)) status.exit_code = WEXITSTATUS(st);
        else if (WIFSIGNALED(st)) status.term_signal = WTERMSIG(st);
    }
    bool poll_exit() {
        {
            std::lock_guard lock(mu);
            if (status.exited || pid <= 0) return status.exited;
        }
        int st = 0;
        const pid_t r = ::waitpid(pid, &st, WNOHANG);
        if (r == pid) record(st);
        std::lock_guard lock(mu);
        return status.exited;
    }
    void finish_reader() {
        stop_reading = true;
        if (reader.joinable()) reader.join();
        if (out_fd >= 0) ::close(out_fd);
        out_fd = -1;
    }
};

ServerChild::ServerChild(const std::string& program, const std::vector<std::string>& args, size_t keep_output_bytes)
    : impl_(std::make_unique<Impl>()) {
    impl_->keep = keep_output_bytes;
    int out_pipe[2], exec_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(exec_pipe, O_CLOEXEC) != 0) {
        impl_->start_error = std::string("pipe: ") + std::strerror(errno);
        return;
    }
    std::vector<std::string> argv_s = {program};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t parent = ::getpid();

    const pid_t pid = ::fork();
    if (pid < 0) {
        impl_->start_error = std::string("fork: ") + std::strerror(errno);
        for (int fd : {out_pipe[0], out_pipe[1], exec_pipe[0], exec_pipe[1]}) ::close(fd);
        return;
    }
    if (pid == 0) {  // child: only async-signal-safe calls until exec
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(127);  // the parent died before prctl
        const int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) ::dup2(devnull, 0);
        ::dup2(out_pipe[1], 1);
        ::dup2(out_pipe[1], 2);
        // Every other descriptor closed, close-on-exec or not (exec_pipe[1] closes at exec).
        const long max_fd = ::sysconf(_SC_OPEN_MAX);
        for (int fd = 3; fd < (max_fd > 0 ? max_fd : 1024); ++fd)
            if (fd != exec_pipe[1]) ::close(fd);
        ::execv(program.c_str(), argv.data());
        const int err = errno;
        (void)!::write(exec_pipe[1], &err, sizeof err);
        ::_exit(127);
    }
    ::setpgid(pid, pid);  // also here: no race with a kill of the group right after fork
    ::close(out_pipe[1]);
    ::close(exec_pipe[1]);
    int err = 0;
    ssize_t n;
    do n = ::read(exec_pipe[0], &err, sizeof err);
    while (n < 0 && errno == EINTR);
    ::close(exec_pipe[0]);
    impl_->pid = pid;
    impl_->out_fd = out_pipe[0];
    if (n == sizeof err) {  // exec failed
        impl_->start_error = "cannot execute " + program + ": " + std::strerror(err);
        int st = 0;
        ::waitpid(pid, &st, 0);
        impl_->record(st);
        ::close(out_pipe[0]);
        impl_->out_fd = -1;
        impl_->pid = 0;
        return;
    }
    impl_->reader = std::thread([impl = impl_.get()] { impl->read_loop(); });
}

ServerChild::~ServerChild() {
    if (started() && !impl_->poll_exit()) stop(std::chrono::milliseconds(0));
    impl_->finish_reader();
}

bool ServerChild::started() const { return impl_->pid > 0; }
const std::string& ServerChild::start_error() const { return impl_->start_error; }
pid_t ServerChild::process_group() const { return impl_->pid; }
bool ServerChild::exited() { return impl_->poll_exit(); }

ServerExit ServerChild::exit_status() const {
    std::lock_guard lock(impl_->mu);
    return impl_->status;
}

ServerExit ServerChild::stop(std::chrono::milliseconds grace) {
    if (!started()) return exit_status();
    const pid_t pg = impl_->pid;
    if (!impl_->poll_exit()) {
        ::kill(-pg, SIGTERM);
        const auto deadline = std::chrono::steady_clock::now() + grace;
        while (!impl_->poll_exit() && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        if (!impl_->poll_exit()) {
            {
                std::lock_guard lock(impl_->mu);
                impl_->status.killed = true;
            }
            ::kill(-pg, SIGKILL);
            int st = 0;
            if (::waitpid(pg, &st, 0) == pg) impl_->record(st);
        }
    }
    // Whatever the program left in its group (helpers it started) goes too.
    ::kill(-pg, SIGKILL);
    // Let the reader drain what is buffered, briefly: a descendant that escaped the group may
    // hold the pipe open forever.
    const auto drain_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
    while (std::chrono::steady_clock::now() < drain_until) {
        pollfd pfd{impl_->out_fd, POLLIN, 0};
        if (impl_->out_fd < 0 || ::poll(&pfd, 1, 0) <= 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    impl_->finish_reader();
    return exit_status();
}

std::string ServerChild::output_so_far() const {
    std::lock_guard lock(impl_->mu);
    return tail_of(impl_->out, impl_->keep);
}

}  // namespace bench
