#include "engine/base/thread_pool.h"
#include "engine/base/thread_pool_testing.h"

#include <cerrno>
#include <system_error>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "engine/base/error.h"

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define TERN_CPU_RELAX() _mm_pause()
#else
#define TERN_CPU_RELAX() ((void)0)
#endif

namespace tern {

namespace {

using Clock = std::chrono::steady_clock;

// Spins until pred() holds or the budget runs out; true when pred() held.
template <class Pred>
bool spin_until(Pred pred, std::chrono::microseconds budget) {
    if (budget.count() <= 0) return pred();
    const auto deadline = Clock::now() + budget;
    for (;;) {
        for (int i = 0; i < 64; ++i) {
            if (pred()) return true;
            TERN_CPU_RELAX();
        }
        if (Clock::now() >= deadline) return pred();
    }
}

// CPUs this process may run on, one per physical core first, then the remaining siblings.
std::vector<int> pin_order() {
    std::vector<int> cpus;
#if defined(__linux__)
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) == 0)
        for (int c = 0; c < CPU_SETSIZE; ++c)
            if (CPU_ISSET(c, &set)) cpus.push_back(c);
    std::vector<int> first, rest;
    std::set<std::string> seen_cores;
    for (int c : cpus) {
        std::ifstream f("/sys/devices/system/cpu/cpu" + std::to_string(c) + "/topology/thread_siblings_list");
        std::string siblings;
        std::getline(f, siblings);
        (siblings.empty() || seen_cores.insert(siblings).second ? first : rest).push_back(c);
    }
    first.insert(first.end(), rest.begin(), rest.end());
    cpus = first;
#endif
    return cpus;
}

bool pin_thread_to(std::thread::native_handle_type handle, int cpu) {
#if defined(__linux__)
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(handle, sizeof(set), &set) == 0;
#else
    (void)handle, (void)cpu;
    return false;
#endif
}

}  // namespace

struct ThreadPool::Impl {
    int n = 1;
    bool pinned = false;
    std::chrono::microseconds spin{0};  // the budget when the threads have their CPUs
    // The budget in use (microseconds): `spin`, or a tenth of it while the machine is crowded.
    std::atomic<int64_t> spin_now{0};
    uint32_t late_share = 0;  // caller only (run() is serialized): share of late jobs, x 2^16
    std::vector<std::thread> workers;
    std::mutex run_mutex;  // serializes callers

    // Job hand-off. `generation` changes once per job; a worker runs the job when it sees a new
    // value. Sleepers are counted so the caller only takes the mutex when someone sleeps
    // (seq_cst on both sides: either the worker sees the new generation or the caller sees it
    // sleeping).
    const std::function<void(int, int)>* job = nullptr;
    std::atomic<uint64_t> generation{0};
    std::atomic<int> pending{0};
    std::atomic<int> sleepers{0};
    std::atomic<bool> caller_sleeping{false};
    std::atomic<bool> stop{false};
    std::mutex m;
    std::condition_variable cv_start, cv_done;

    void worker(int index) {
        current = this;
        uint64_t seen = 0;
        for (;;) {
            auto ready = [&] { return generation.load() != seen || stop.load(); };
            if (!spin_until(ready, spin_budget())) {
                std::unique_lock lk(m);
                sleepers.fetch_add(1);
                cv_start.wait(lk, ready);
                sleepers.fetch_sub(1);
            }
            if (stop.load()) return;
            seen = generation.load();
            (*job)(index, n);
            if (pending.fetch_sub(1) == 1 && caller_sleeping.load()) {
                std::lock_guard lk(m);
                cv_done.notify_one();
            }
        }
    }

    std::chrono::microseconds spin_budget() const {
        return std::chrono::microseconds(spin_now.load(std::memory_order_relaxed));
    }

    // A job whose workers outlast the caller's spin had a worker off its CPU: other processes
    // want the cores. Spinning then only keeps a CPU from the thread being waited for (measured
    // under load 6 on 2 cores: decode 1.3-1.4x faster with a 10 us budget than with 100 us), so
    // while more than ~2% of recent jobs are late the budget drops to a tenth. When the threads
    // have their CPUs the caller never waits longer than a last chunk, and the full budget
    // returns within a few dozen jobs.
    void note_job(bool late) {
        late_share = late_share - (late_share >> 6) + (late ? (65536u >> 6) : 0u);
        const bool crowded = late_share > 65536u / 50;
        spin_now.store(crowded ? spin.count() / 10 : spin.count(), std::memory_order_relaxed);
    }

    static thread_local const Impl* current;  // the pool whose job this thread is running
};

thread_local const ThreadPool::Impl* ThreadPool::Impl::current = nullptr;

namespace {
std::atomic<int> thread_start_failure_at{-1};
}  // namespace

void fail_thread_start_for_testing(int index) { thread_start_failure_at.store(index); }

ThreadPool::ThreadPool(int n_threads) : ThreadPool(n_threads, pin_from_env()) {}

ThreadPool::ThreadPool(int n_threads, bool pin) : impl_(std::make_unique<Impl>()) {
    Impl& p = *impl_;
    p.n = n_threads > 0 ? n_threads : physical_cores();
    const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
    // Spinning on an oversubscribed machine only steals time from the thread being waited for.
    p.spin = static_cast<unsigned>(p.n) <= hw ? std::chrono::microseconds(spin_microseconds())
                                              : std::chrono::microseconds(0);
    p.spin_now.store(p.spin.count());
    // Creating a thread can fail (the process or user thread limit). The workers already
    // started must be stopped and joined before the Impl they wait on is destroyed: unwinding
    // past them destroyed a condition variable with waiters and hung forever.
    try {
        p.workers.reserve(static_cast<size_t>(p.n - 1));
        for (int i = 1; i < p.n; ++i) {
            if (i == thread_start_failure_at.load()) throw std::system_error(EAGAIN, std::generic_category(), "injected");
            p.workers.emplace_back([this, i] { impl_->worker(i); });
        }
    } catch (const std::system_error& e) {
        const size_t started = p.workers.size();
        {
            std::lock_guard lk(p.m);
            p.stop.store(true);
        }
        p.cv_start.notify_all();
        for (auto& t : p.workers) t.join();
        throw Error("cannot start " + std::to_string(p.n) + " compute threads: the system refused worker thread " +
                    std::to_string(started + 1) + " of " + std::to_string(p.n - 1) + " (" + e.code().message() +
                    "; the process or user thread limit, ulimit -u?); use fewer threads (-t)");
    }
    if (pin) {
        const std::vector<int> cpus = pin_order();
        bool ok = !cpus.empty();
        // Worker i gets the i-th CPU; the caller (index 0) keeps its own affinity.
        for (int i = 1; i < p.n && ok; ++i)
            ok = pin_thread_to(p.workers[static_cast<size_t>(i - 1)].native_handle(),
                               cpus[static_cast<size_t>(i) % cpus.size()]);
        p.pinned = ok;
    }
}

ThreadPool::~ThreadPool() {
    Impl& p = *impl_;
    {
        std::lock_guard lk(p.m);
        p.stop.store(true);
    }
    p.cv_start.notify_all();
    for (auto& t : p.workers) t.join();
}

int ThreadPool::size() const { return impl_->n; }
bool ThreadPool::pinned() const { return impl_->pinned; }
int ThreadPool::current_spin_microseconds() const { return static_cast<int>(impl_->spin_budget().count()); }

void ThreadPool::run(const std::function<void(int, int)>& fn) {
    Impl& p = *impl_;
    if (Impl::current == &p || p.n == 1) {  // nested call, or nothing to hand out
        for (int t = 0; t < p.n; ++t) fn(t, p.n);
        return;
    }
    std::lock_guard run_lock(p.run_mutex);
    p.job = &fn;
    p.pending.store(p.n - 1);
    p.generation.fetch_add(1);
    if (p.sleepers.load() > 0) {
        { std::lock_guard lk(p.m); }  // a worker between its check and its wait now waits
        p.cv_start.notify_all();
    }
    const Impl* outer = Impl::current;
    Impl::current = &p;
    fn(0, p.n);
    Impl::current = outer;
    auto done = [&] { return p.pending.load() == 0; };
    const bool on_time = spin_until(done, p.spin_budget());
    if (!on_time) {
        std::unique_lock lk(p.m);
        p.caller_sleeping.store(true);
        p.cv_done.wait(lk, done);
        p.caller_sleeping.store(false);
    }
    p.note_job(!on_time);
}

void ThreadPool::parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
    if (n <= 0) return;
    grain = std::max<int64_t>(grain, 1);
    const int64_t units = (n + grain - 1) / grain;
    const int nt = size();
    if (nt == 1 || units == 1) {
        fn(0, n);
        return;
    }
    // Guided chunks: each grab takes half of an equal share of what is left (a multiple of
    // `grain`), so early chunks are long (long sequential weight streams) and the last ones
    // short, which keeps the threads' finishing times within a small chunk of each other.
    std::atomic<int64_t> next{0};
    const int64_t share_div = 2 * int64_t(nt);
    run([&](int, int) {
        int64_t b = next.load(std::memory_order_relaxed);
        for (;;) {
            int64_t e;
            do {
                if (b >= n) return;
                const int64_t want = (n - b) / share_div;
                const int64_t size = std::max<int64_t>(grain, (want + grain - 1) / grain * grain);
                e = std::min(n, b + size);
            } while (!next.compare_exchange_weak(b, e, std::memory_order_relaxed));
            fn(b, e);
            b = next.load(std::memory_order_relaxed);
        }
    });
}

int ThreadPool::physical_cores() {
    // Distinct (physical id, core id) pairs among the CPUs; fall back to logical CPUs.
    std::ifstream f("/proc/cpuinfo");
    std::set<std::pair<std::string, std::string>> cores;
    std::string line, phys = "0";
    while (std::getline(f, line)) {
        auto val = [&] {
            const auto p = line.find(':');
            return p == std::string::npos || p + 2 > line.size() ? std::string() : line.substr(p + 2);
        };
        if (line.rfind("physical id", 0) == 0) phys = val();
        else if (line.rfind("core id", 0) == 0) cores.insert({phys, val()});
    }
    if (!cores.empty()) return static_cast<int>(cores.size());
    return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

bool ThreadPool::pin_from_env() {
    const char* v = std::getenv("TERNBENCH_PIN");
    if (!v) return false;
    const std::string_view s(v);
    return s == "1" || s == "true" || s == "yes" || s == "on";
}

int ThreadPool::spin_microseconds() {
    const char* v = std::getenv("TERNBENCH_SPIN_US");
    if (!v || !*v) return 100;
    char* end = nullptr;
    const long us = std::strtol(v, &end, 10);
    if (*end != '\0' || us < 0) return 100;
    return static_cast<int>(std::min<long>(us, 1000000));
}

}  // namespace tern
