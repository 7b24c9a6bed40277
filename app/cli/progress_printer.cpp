#include "app/cli/progress_printer.h"

#include <unistd.h>

#include <cstdio>

namespace bench::cli {
namespace {
std::string fmt_secs(double s) {
    char buf[32];
    if (s < 0) return "?";
    if (s < 90) std::snprintf(buf, sizeof buf, "%.0fs", s);
    else std::snprintf(buf, sizeof buf, "%dm%02ds", int(s) / 60, int(s) % 60);
    return buf;
}
}  // namespace

ProgressPrinter::ProgressPrinter(bool quiet) : tty_(::isatty(STDERR_FILENO) == 1), quiet_(quiet) {}

void ProgressPrinter::on_started(int64_t run_id, const tbdb::RunRecord& run) {
    if (quiet_) return;
    std::lock_guard lock(mu_);
    std::fprintf(stderr, "run #%lld: %s, %s, %d threads, model %s\n", (long long)run_id,
                 run.workload.c_str(), run.implementation.c_str(), run.threads, run.model.path.c_str());
}

void ProgressPrinter::draw_locked() {
    const auto& p = last_;
    char line[256];
    std::string tput;  // appended piecewise: GCC 12 warns falsely on "literal" + string&&
    if (tok_s_ >= 0) {
        tput = " ";
        tput += std::to_string(int(tok_s_ + 0.5));
        tput += " tok/s";
    }
    if (tty_) {
        const int width = 24;
        int filled = p.total > 0 ? int(width * double(p.done) / double(p.total)) : 0;
        std::string bar(std::min(filled, width), '#');
        bar.resize(width, '.');
        std::snprintf(line, sizeof line, "\r[%s] %lld/%lld %-22s ETA %-6s%s\x1b[K", bar.c_str(),
                      (long long)p.done, (long long)p.total, p.phase.c_str(), fmt_secs(p.eta_s).c_str(),
                      tput.c_str());
        std::fputs(line, stderr);
        bar_visible_ = true;
    } else {
        std::snprintf(line, sizeof line, "progress: %s %lld/%lld elapsed %s ETA %s%s\n", p.phase.c_str(),
                      (long long)p.done, (long long)p.total, fmt_secs(p.elapsed_s).c_str(),
                      fmt_secs(p.eta_s).c_str(), tput.c_str());
        std::fputs(line, stderr);
    }
    std::fflush(stderr);
}

void ProgressPrinter::on_progress(int64_t, const Progress& p) {
    if (quiet_) return;
    std::lock_guard lock(mu_);
    last_ = p;
    const auto now = std::chrono::steady_clock::now();
    if (!tty_ && p.phase == last_phase_ && now - last_line_ < std::chrono::seconds(1)) return;
    last_phase_ = p.phase;
    last_line_ = now;
    draw_locked();
}

void ProgressPrinter::on_throughput(int64_t, double, double tok_s) {
    if (quiet_) return;
    std::lock_guard lock(mu_);
    tok_s_ = tok_s;
    if (tty_ && bar_visible_) draw_locked();
}

void ProgressPrinter::on_log(int64_t, const std::string& line) {
    if (quiet_) return;
    std::lock_guard lock(mu_);
    std::fprintf(stderr, "%s%s\n", bar_visible_ ? "\r\x1b[K" : "", line.c_str());
    bar_visible_ = false;
}

void ProgressPrinter::on_finished(int64_t run_id, const tbdb::RunRecord& run) {
    if (quiet_) return;
    std::lock_guard lock(mu_);
    if (bar_visible_) std::fputs("\r\x1b[K", stderr);
    bar_visible_ = false;
    std::fprintf(stderr, "run #%lld %s%s%s\n", (long long)run_id, tbdb::status_name(run.status),
                 run.error.empty() ? "" : ": ", run.error.c_str());
}

}  // namespace bench::cli
