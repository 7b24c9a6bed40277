#pragma once
// The CLI's RunObserver: a progress bar with ETA and live tok/s on a terminal (stderr), plain
// lines (at most one per second or per phase) when stderr is not a terminal.
#include <chrono>
#include <mutex>
#include <string>

#include "app/core/runner.h"

namespace bench::cli {

class ProgressPrinter : public RunObserver {
public:
    explicit ProgressPrinter(bool quiet = false);
    void on_started(int64_t run_id, const tbdb::RunRecord& run) override;
    void on_progress(int64_t run_id, const Progress& p) override;
    void on_throughput(int64_t run_id, double t_s, double tok_s) override;
    void on_log(int64_t run_id, const std::string& line) override;
    void on_finished(int64_t run_id, const tbdb::RunRecord& run) override;

private:
    void draw_locked();
    bool tty_, quiet_;
    std::mutex mu_;
    Progress last_;
    double tok_s_ = -1;
    std::string last_phase_;
    std::chrono::steady_clock::time_point last_line_{};
    bool bar_visible_ = false;
};

}  // namespace bench::cli
