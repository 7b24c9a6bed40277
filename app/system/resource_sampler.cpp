#include "app/system/resource_sampler.h"

#include <future>

#include <boost/asio/post.hpp>

#include "app/system/proc_status.h"

namespace bench::sys {

ResourceSampler::ResourceSampler(boost::asio::any_io_executor ex,
                                 std::chrono::milliseconds interval, Clock::time_point t0)
    : strand_(boost::asio::make_strand(ex)), timer_(strand_), interval_(interval), t0_(t0) {
    if (interval_.count() <= 0) interval_ = std::chrono::milliseconds(50);
}

ResourceSampler::~ResourceSampler() { stop(); }

tbdb::ResourceSample ResourceSampler::sample_now(Clock::time_point t0) {
    tbdb::ResourceSample s;
    s.t_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (auto st = read_proc_status()) {
        s.rss_anon_mb = st->rss_anon_mb;
        s.rss_file_mb = st->rss_file_mb;
        s.vm_hwm_mb = st->vm_hwm_mb;
        s.threads = st->threads;
    }
    const CpuTimes cpu = process_cpu_times();
    s.cpu_user_s = cpu.user_s;
    s.cpu_sys_s = cpu.sys_s;
    return s;
}

void ResourceSampler::start() {
    {
        std::lock_guard lock(mu_);
        if (running_) return;
        running_ = true;
        samples_.push_back(sample_now(t0_));
    }
    boost::asio::post(strand_, [this] { arm(); });
}

void ResourceSampler::arm() {
    timer_.expires_after(interval_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;  // cancelled by stop()
        std::lock_guard lock(mu_);
        if (!running_) return;
        samples_.push_back(sample_now(t0_));
        arm();
    });
}

void ResourceSampler::stop() {
    {
        std::lock_guard lock(mu_);
        if (!running_) return;
        running_ = false;
        samples_.push_back(sample_now(t0_));
    }
    // Cancel on the strand and wait, so no handler touches this object after we return.
    std::promise<void> done;
    auto fut = done.get_future();
    boost::asio::post(strand_, [this, &done] {
        timer_.cancel();
        done.set_value();
    });
    fut.wait();
}

std::vector<tbdb::ResourceSample> ResourceSampler::samples() const {
    std::lock_guard lock(mu_);
    return samples_;
}

}  // namespace bench::sys
