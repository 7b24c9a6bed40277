#pragma once
// Runs one BenchmarkSpec end to end (docs/ARCHITECTURE.md section 2): opens the run row, records the
// environment, drives the workload, samples resources, writes everything in one transaction.
// Blocking: the CLI calls it on its main thread, the window on a worker thread.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "app/core/benchmark_spec.h"
#include "app/core/run_saver.h"
#include "db/run_record.h"
#include "db/run_store.h"

namespace bench {

struct Progress {
    std::string phase;        // "loading model", "warmup", "repetition 2/5", ...
    int64_t done = 0, total = 0;   // units of work (requests, repetitions, points)
    double elapsed_s = 0;
    double eta_s = -1;        // < 0: unknown
};

// Callbacks from the runner's threads. Implementations must be thread-safe and quick
// (the window turns them into queued signals tagged with the run id).
class RunObserver {
public:
    virtual ~RunObserver() = default;
    virtual void on_started(int64_t /*run_id*/, const tbdb::RunRecord& /*run*/) {}
    virtual void on_progress(int64_t /*run_id*/, const Progress& /*p*/) {}
    virtual void on_token(int64_t /*run_id*/, int /*request*/, const std::string& /*piece*/, double /*t_ms*/) {}
    virtual void on_request_done(int64_t /*run_id*/, const tbdb::RequestRecord& /*r*/) {}
    virtual void on_throughput(int64_t /*run_id*/, double /*t_s*/, double /*tok_s*/) {}
    virtual void on_log(int64_t /*run_id*/, const std::string& /*line*/) {}
    // Measuring is over; the results are being written (must not be cut short).
    virtual void on_storing(int64_t /*run_id*/) {}
    virtual void on_finished(int64_t /*run_id*/, const tbdb::RunRecord& /*run*/) {}
};

class Runner {
public:
    explicit Runner(tbdb::RunStore& store);
    // Never throws for bad input: flags check_run_flags refuses give a `failed` run that is NOT
    // stored (id 0, no observer calls); any later failure is returned and stored as a `failed`
    // run with its error; cancellation (cancel becomes true) returns a `cancelled` run with what
    // was measured. Throws tbdb::StoreError when the store is damaged before the run (nothing
    // measured) or refuses the final write (then the error names the file keeping the run).
    tbdb::RunRecord run(const BenchmarkSpec& spec, RunObserver* observer = nullptr,
                        const std::atomic<bool>* cancel = nullptr);
    // How the final write is retried (tests shorten it).
    void set_save_retry(const SaveRetry& retry);

    // Whether the last run() failed on a missing or unusable input file (InputError): the CLI
    // exits with 3 for those.
    bool last_failed_on_input() const { return last_input_error_; }

    // Called with the finished run just before it is stored (a caller that ran the server, e.g.
    // `baseline run`, adds what it knows: implementation, the server's command line, ...).
    void set_before_store(std::function<void(tbdb::RunRecord&)> fn) { before_store_ = std::move(fn); }


private:
    tbdb::RunStore& store_;
    bool last_input_error_ = false;
    SaveRetry save_retry_;
    std::function<void(tbdb::RunRecord&)> before_store_;
};

}  // namespace bench
