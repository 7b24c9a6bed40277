#pragma once
// SIGINT / SIGTERM for the CLI's long commands. The first signal raises the cancel flag: the
// work stops at its next check and keeps what it measured. A phase that cannot stop midway (one
// model load, one long prefill) gets `grace`; when the work has not ended by then, `on_stuck`
// runs (it stores what it can) and the process exits with 130. A second signal does the same
// at once. So every phase ends within grace plus the time on_stuck takes. Without on_stuck
// there is no watchdog (for work that stops at once on the flag, such as a child process).
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

namespace bench::cli {

class CancelOnSignal {
public:
    CancelOnSignal(std::atomic<bool>& flag, std::function<void()> on_stuck = {},
                   std::chrono::milliseconds grace = std::chrono::milliseconds(1500));
    ~CancelOnSignal();   // the work ended: signals are no longer handled here
    // The work reached a part that ends by itself and must not be cut (storing the results):
    // from now on neither the grace nor a second signal ends the process early.
    void finishing();
    CancelOnSignal(const CancelOnSignal&) = delete;
    CancelOnSignal& operator=(const CancelOnSignal&) = delete;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace bench::cli
