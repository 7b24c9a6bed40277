#pragma once
// A persistent compute pool: workers are created once and reused for every parallel_for, so a
// decode step creates no threads. The calling thread takes part as worker 0.
//
// Waiting is spin-then-sleep: after a job, workers spin on an atomic generation counter for a
// short while (a decode step issues hundreds of small jobs back to back, and a futex wake-up
// costs tens of microseconds), then block on a condition variable so an idle pool burns no CPU.
// The spin is skipped when the pool has more threads than the machine has CPUs, and cut to a
// tenth while workers keep arriving late (other processes taking the CPUs).
#include <cstdint>
#include <functional>
#include <memory>

namespace tern {

class ThreadPool {
public:
    // n_threads >= 1 (0 means the number of physical cores). pin: bind worker i to one CPU of
    // the process's allowed set (distinct physical cores first); default from env TERNBENCH_PIN=1.
    explicit ThreadPool(int n_threads);
    ThreadPool(int n_threads, bool pin);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const;
    bool pinned() const;
    // The spin budget in use now, microseconds (spin_microseconds(), or less; see note_job).
    int current_spin_microseconds() const;
    // Runs fn(thread_index, n_threads) once on each thread and waits for all. Calls from several
    // threads at once are serialized. A call from inside a job of the same pool runs every
    // index inline on the calling thread (no deadlock). fn must not throw.
    void run(const std::function<void(int thread_index, int n_threads)>& fn);
    // Covers [0, n) with contiguous chunks whose starts are multiples of `grain`; threads take
    // chunks dynamically, long ones first and ever shorter ones (guided), so a descheduled or
    // slower thread does not hold up the rest by more than a small chunk.
    // Each index is passed to fn exactly once; chunks may run in any order.
    void parallel_for(int64_t n, int64_t grain,
                      const std::function<void(int64_t begin, int64_t end)>& fn);

    static int physical_cores();
    // TERNBENCH_PIN=1 (or "true"/"yes") in the environment.
    static bool pin_from_env();
    // Spin budget before sleeping, microseconds (env TERNBENCH_SPIN_US, default 100; 0 = never).
    static int spin_microseconds();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace tern
