#include "app/cli/cancel_on_signal.h"

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "app/cli/cli.h"

namespace bench::cli {

struct CancelOnSignal::Impl {
    std::atomic<bool>& flag;
    std::function<void()> on_stuck;
    std::chrono::milliseconds grace;
    boost::asio::io_context io;
    boost::asio::signal_set signals{io, SIGINT, SIGTERM};
    boost::asio::steady_timer watchdog{io};
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work =
        boost::asio::make_work_guard(io);
    std::mutex ending;   // held while the work ends normally, so on_stuck never overlaps it
    bool ended = false;
    std::thread thread;

    Impl(std::atomic<bool>& f, std::function<void()> stuck, std::chrono::milliseconds g)
        : flag(f), on_stuck(std::move(stuck)), grace(g) {}

    void give_up(const char* why) {
        std::lock_guard lock(ending);
        if (ended) return;   // storing the results: let it finish
        std::cerr << "\nternbench: " << why << "; storing the run as cancelled and exiting\n";
        if (on_stuck) on_stuck();
        std::_Exit(kCancelled);
    }

    void wait() {
        signals.async_wait([this](const boost::system::error_code& ec, int) {
            if (ec) return;
            if (flag.exchange(true)) give_up("second signal");
            std::cerr << "\ncancelling: keeping what was measured (Ctrl-C again to quit now)\n";
            if (!on_stuck) {   // work that stops at once on the flag: no watchdog
                wait();
                return;
            }
            watchdog.expires_after(grace);
            watchdog.async_wait([this](const boost::system::error_code& wec) {
                if (!wec) give_up("the current phase cannot stop midway");
            });
            wait();
        });
    }
};

CancelOnSignal::CancelOnSignal(std::atomic<bool>& flag, std::function<void()> on_stuck,
                               std::chrono::milliseconds grace)
    : impl_(std::make_unique<Impl>(flag, std::move(on_stuck), grace)) {
    impl_->wait();
    impl_->thread = std::thread([this] { impl_->io.run(); });
}

void CancelOnSignal::finishing() {
    std::lock_guard lock(impl_->ending);   // waits for an on_stuck already running (it exits)
    impl_->ended = true;
}

CancelOnSignal::~CancelOnSignal() {
    finishing();
    impl_->signals.cancel();
    impl_->watchdog.cancel();
    impl_->work.reset();
    impl_->io.stop();
    impl_->thread.join();
}

}  // namespace bench::cli
