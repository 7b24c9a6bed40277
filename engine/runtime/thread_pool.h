#pragma once
// A persistent compute pool: workers are created once and reused for every parallel_for, so a
// decode step creates no threads. The calling thread takes part as worker 0.
#include <cstdint>
#include <functional>
#include <memory>

namespace tern {

class ThreadPool {
public:
    // n_threads >= 1 (0 means the number of physical cores).
    explicit ThreadPool(int n_threads);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const;
    // Runs fn(thread_index, n_threads) once on each thread and waits for all. Calls from several
    // threads at once are serialized. fn must not throw.
    void run(const std::function<void(int thread_index, int n_threads)>& fn);
    // Splits [0, n) into contiguous chunks, about one per thread, aligned to `grain`.
    void parallel_for(int64_t n, int64_t grain,
                      const std::function<void(int64_t begin, int64_t end)>& fn);

    static int physical_cores();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace tern
