#pragma once
// The runner's asio executor: one io_context on its own thread for timers (resource sampler,
// live tok/s ticks). Stops and joins on destruction.
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace bench {

class ControlLoop {
public:
    ControlLoop() : work_(boost::asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
    ~ControlLoop() {
        work_.reset();
        io_.stop();
        thread_.join();
    }
    boost::asio::io_context& io() { return io_; }

private:
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::thread thread_;
};

}  // namespace bench
