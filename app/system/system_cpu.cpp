#include "app/system/system_cpu.h"

#include <algorithm>
#include <charconv>

#include "app/system/text_file.h"

namespace bench::sys {

std::optional<SystemCpu> parse_proc_stat(std::string_view text) {
    // The aggregate line comes first: "cpu  user nice system idle iowait irq softirq steal ...".
    const size_t at = text.rfind("cpu ", 0) == 0 ? 0 : text.find("\ncpu ");
    if (at == std::string_view::npos) return std::nullopt;
    std::string_view line = text.substr(at == 0 ? 4 : at + 5);
    line = line.substr(0, line.find('\n'));
    uint64_t v[8] = {};
    for (uint64_t& x : v) {
        const size_t b = line.find_first_not_of(' ');
        if (b == std::string_view::npos) return std::nullopt;
        line = line.substr(b);
        const auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), x);
        if (ec != std::errc()) return std::nullopt;
        line = line.substr(static_cast<size_t>(p - line.data()));
    }
    return SystemCpu{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]};
}

std::optional<SystemCpu> read_system_cpu(const std::string& path) {
    const auto text = sys::read_text_file(path);
    if (!text) return std::nullopt;
    return parse_proc_stat(*text);
}

std::optional<CpuInterference> cpu_interference(const SystemCpu& before, const SystemCpu& after, double own_cpu_s,
                                                double ticks_per_s) {
    if (after.total() <= before.total() || ticks_per_s <= 0) return std::nullopt;
    const double total = static_cast<double>(after.total() - before.total());
    const double steal = static_cast<double>(after.steal - before.steal);
    const double busy = static_cast<double>(after.busy() - before.busy());
    CpuInterference r;
    r.steal_pct = 100.0 * steal / total;
    // Tick accounting is coarse (one tick = 10 ms per CPU): a small negative rest is rounding.
    r.other_pct = 100.0 * std::max(0.0, busy - own_cpu_s * ticks_per_s) / total;
    return r;
}

}  // namespace bench::sys
