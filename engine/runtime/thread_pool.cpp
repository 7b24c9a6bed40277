#include "engine/runtime/thread_pool.h"

#include <algorithm>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace tern {

// First version: condition-variable workers (the speed issue replaces the wait with
// spin-then-sleep). Each run() bumps a generation counter the workers wait on.
struct ThreadPool::Impl {
    int n = 1;
    std::vector<std::thread> workers;
    std::mutex run_mutex;  // serializes callers
    std::mutex m;
    std::condition_variable cv_start, cv_done;
    const std::function<void(int, int)>* job = nullptr;
    uint64_t generation = 0;
    int pending = 0;
    bool stop = false;

    void worker(int index) {
        uint64_t seen = 0;
        for (;;) {
            const std::function<void(int, int)>* fn;
            {
                std::unique_lock lk(m);
                cv_start.wait(lk, [&] { return stop || generation != seen; });
                if (stop) return;
                seen = generation;
                fn = job;
            }
            (*fn)(index, n);
            std::lock_guard lk(m);
            if (--pending == 0) cv_done.notify_one();
        }
    }
};

ThreadPool::ThreadPool(int n_threads) : impl_(std::make_unique<Impl>()) {
    impl_->n = n_threads > 0 ? n_threads : physical_cores();
    for (int i = 1; i < impl_->n; ++i) impl_->workers.emplace_back([this, i] { impl_->worker(i); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard lk(impl_->m);
        impl_->stop = true;
    }
    impl_->cv_start.notify_all();
    for (auto& t : impl_->workers) t.join();
}

int ThreadPool::size() const { return impl_->n; }

void ThreadPool::run(const std::function<void(int, int)>& fn) {
    std::lock_guard run_lock(impl_->run_mutex);
    if (impl_->n == 1) {
        fn(0, 1);
        return;
    }
    {
        std::lock_guard lk(impl_->m);
        impl_->job = &fn;
        impl_->pending = impl_->n - 1;
        ++impl_->generation;
    }
    impl_->cv_start.notify_all();
    fn(0, impl_->n);
    std::unique_lock lk(impl_->m);
    impl_->cv_done.wait(lk, [&] { return impl_->pending == 0; });
}

void ThreadPool::parallel_for(int64_t n, int64_t grain,
                              const std::function<void(int64_t, int64_t)>& fn) {
    if (n <= 0) return;
    grain = std::max<int64_t>(grain, 1);
    const int64_t units = (n + grain - 1) / grain;
    run([&](int t, int nt) {
        const int64_t u0 = units * t / nt, u1 = units * (t + 1) / nt;
        const int64_t b = std::min(n, u0 * grain), e = std::min(n, u1 * grain);
        if (b < e) fn(b, e);
    });
}

int ThreadPool::physical_cores() {
    // Count distinct (physical id, core id) pairs; fall back to logical CPUs.
    std::ifstream f("/proc/cpuinfo");
    std::set<std::pair<std::string, std::string>> cores;
    std::string line, phys = "0";
    while (std::getline(f, line)) {
        auto val = [&] { auto p = line.find(':'); return p == std::string::npos ? std::string() : line.substr(p + 2); };
        if (line.rfind("physical id", 0) == 0) phys = val();
        else if (line.rfind("core id", 0) == 0) cores.insert({phys, val()});
    }
    if (!cores.empty()) return static_cast<int>(cores.size());
    return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace tern
