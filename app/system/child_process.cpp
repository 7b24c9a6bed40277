#include "app/system/child_process.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <mutex>
#include <sstream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/stdio.hpp>

namespace bench::sys {
namespace bp = boost::process::v2;
namespace asio = boost::asio;

namespace {

// Runs in the child between fork and exec: a new process group, so a timeout can kill the
// program together with anything it started.
struct NewProcessGroup {
    template <typename Launcher>
    bp::error_code on_exec_setup(Launcher&, const bp::filesystem::path&, const char* const*) {
        ::setpgid(0, 0);
        return {};
    }
};

// Reads a pipe to EOF into `sink`, then calls `at_eof`.
void read_all(asio::readable_pipe& pipe, std::string& sink, std::array<char, 4096>& buf,
              const std::function<void()>& at_eof) {
    pipe.async_read_some(asio::buffer(buf), [&](const boost::system::error_code& ec, size_t n) {
        sink.append(buf.data(), n);
        if (!ec) read_all(pipe, sink, buf, at_eof);
        else at_eof();
    });
}

std::mutex self_mu;
std::string self_path;

}  // namespace

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

ChildResult run_child(const std::string& program, const std::vector<std::string>& args,
                      std::chrono::milliseconds timeout, const std::atomic<bool>* cancel) {
    ChildResult r;
    const std::string exe = find_program(program);
    if (exe.empty()) {
        r.start_error = "program not found or not executable: " + program;
        return r;
    }
    asio::io_context io;
    asio::readable_pipe out_pipe(io), err_pipe(io);
    r.spawned = std::chrono::steady_clock::now();
    std::unique_ptr<bp::process> proc;
    try {
        proc = std::make_unique<bp::process>(io, exe, args,
                                             bp::process_stdio{nullptr, out_pipe, err_pipe},
                                             NewProcessGroup{});
    } catch (const std::exception& e) {
        r.start_error = std::string(e.what()) + " (" + exe + ")";
        return r;
    }
    r.started = true;
    const pid_t pid = proc->id();
    auto kill_group = [pid] {
        if (::kill(-pid, SIGKILL) != 0) ::kill(pid, SIGKILL);  // group not formed yet
    };

    // Done when the process exited AND both pipes are at EOF (a child it left behind may still
    // hold them: the timeout then kills the whole group).
    asio::steady_timer timer(io);
    bool exited = false;
    int open_pipes = 2;
    auto maybe_done = [&] {
        if (exited && open_pipes == 0) timer.cancel();
    };
    std::function<void()> pipe_closed = [&] {
        --open_pipes;
        maybe_done();
    };
    std::array<char, 4096> out_buf{}, err_buf{};
    read_all(out_pipe, r.out, out_buf, pipe_closed);
    read_all(err_pipe, r.err, err_buf, pipe_closed);
    proc->async_wait([&](const boost::system::error_code&, int) {
        exited = true;
        maybe_done();
    });

    // One timer: checks the cancel flag every 100 ms and fires the timeout.
    const auto deadline = r.spawned + timeout;
    std::function<void()> watch = [&] {
        timer.expires_after(std::chrono::milliseconds(100));
        timer.async_wait([&](const boost::system::error_code& ec) {
            if (ec || (exited && open_pipes == 0)) return;
            if (std::chrono::steady_clock::now() >= deadline) {
                r.timed_out = true;
                kill_group();
            } else if (cancel && cancel->load()) {
                r.cancelled = true;
                kill_group();
            }
            watch();
        });
    };
    watch();
    // Runs until the process exited and both pipes hit EOF.
    io.run();
    r.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - r.spawned).count();

    const int status = proc->native_exit_code();
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status)) r.term_signal = WTERMSIG(status);
    return r;
}

}  // namespace bench::sys
