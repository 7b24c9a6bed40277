#pragma once
// Samples this process's memory, CPU time and threads every N ms on an asio steady_timer
// (docs/ARCHITECTURE.md section 2, step 4). Start and stop from any thread; the samples are read after stop.
#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "db/run_record.h"

namespace bench::sys {

class ResourceSampler {
public:
    using Clock = std::chrono::steady_clock;
    ResourceSampler(boost::asio::any_io_executor ex, std::chrono::milliseconds interval,
                    Clock::time_point t0);
    ~ResourceSampler();

    void start();   // first sample now, then every interval
    void stop();    // blocks until the timer is cancelled; takes a last sample
    std::vector<tbdb::ResourceSample> samples() const;

    // One sample now, relative to t0 (also used directly by tests).
    static tbdb::ResourceSample sample_now(Clock::time_point t0);

private:
    void arm();
    boost::asio::strand<boost::asio::any_io_executor> strand_;
    boost::asio::steady_timer timer_;
    std::chrono::milliseconds interval_;
    Clock::time_point t0_;
    mutable std::mutex mu_;
    std::vector<tbdb::ResourceSample> samples_;
    bool running_ = false;
};

}  // namespace bench::sys
