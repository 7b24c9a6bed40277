#include "app/workloads/run_events.h"

#include "app/metrics/request_metrics.h"

namespace bench {

double RunEvents::elapsed_s() const {
    return std::chrono::duration<double>(Clock::now() - t0_).count();
}

void RunEvents::progress(const std::string& phase, int64_t done, int64_t total) {
    Progress p;
    p.phase = phase;
    p.done = done;
    p.total = total;
    p.elapsed_s = elapsed_s();
    {
        std::lock_guard lock(mu_);
        const auto now = Clock::now();
        // Units done in earlier phases (warm-up, loading) say nothing about this phase's pace,
        // so the ETA only uses work since the phase of the same name began.
        const std::string family = phase.substr(0, phase.find(' '));
        if (family != phase_) {
            phase_ = family;
            phase_start_ = now;
            phase_done_start_ = done;
        }
        const int64_t units = done - phase_done_start_;
        const double secs = std::chrono::duration<double>(now - phase_start_).count();
        if (units > 0 && total > 0 && secs > 0) p.eta_s = secs / units * double(total - done);
    }
    if (observer_) observer_->on_progress(run_id_, p);
}

void RunEvents::token(int request, const std::string& piece, Clock::time_point when) {
    count_tokens(1);
    if (observer_) observer_->on_token(run_id_, request, piece, metrics::ms_between(t0_, when));
}

void RunEvents::request_done(const tbdb::RequestRecord& r) {
    if (observer_) observer_->on_request_done(run_id_, r);
}

void RunEvents::log(const std::string& line) {
    if (observer_) observer_->on_log(run_id_, line);
}

void RunEvents::throughput(double t_s, double tok_s) {
    if (observer_) observer_->on_throughput(run_id_, t_s, tok_s);
}

}  // namespace bench
