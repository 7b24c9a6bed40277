#include "app/system/proc_status.h"

#include <sys/resource.h>

#include <charconv>
#include <fstream>

#include "app/system/text_file.h"

namespace bench::sys {
namespace {

// "VmHWM:\t  1234 kB" -> 1234 (kB), for the line starting with `key`.
std::optional<double> field_kb(std::string_view text, std::string_view key) {
    size_t pos = 0;
    while (pos < text.size()) {
        size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos) eol = text.size();
        std::string_view line = text.substr(pos, eol - pos);
        if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == ':') {
            std::string_view rest = line.substr(key.size() + 1);
            size_t b = rest.find_first_not_of(" \t");
            if (b == std::string_view::npos) return std::nullopt;
            rest = rest.substr(b);
            long long v = 0;
            auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), v);
            if (ec != std::errc()) return std::nullopt;
            return static_cast<double>(v);
        }
        pos = eol + 1;
    }
    return std::nullopt;
}

}  // namespace

std::optional<ProcStatus> parse_proc_status(std::string_view text) {
    auto hwm = field_kb(text, "VmHWM");
    auto rss = field_kb(text, "VmRSS");
    if (!hwm || !rss) return std::nullopt;
    ProcStatus s;
    s.vm_hwm_mb = *hwm / 1024.0;
    s.vm_rss_mb = *rss / 1024.0;
    // RssAnon/RssFile exist since Linux 4.5; absent means unknown, reported as 0 only when present.
    s.rss_anon_mb = field_kb(text, "RssAnon").value_or(0) / 1024.0;
    s.rss_file_mb = field_kb(text, "RssFile").value_or(0) / 1024.0;
    s.threads = static_cast<int>(field_kb(text, "Threads").value_or(0));
    return s;
}

std::optional<ProcStatus> read_proc_status(const std::string& path) {
    const auto text = sys::read_text_file(path);
    if (!text) return std::nullopt;
    return parse_proc_status(*text);
}

bool reset_peak_rss() {
    std::ofstream out("/proc/self/clear_refs");
    if (!out) return false;
    out << "5";
    out.flush();
    return static_cast<bool>(out);
}

CpuTimes process_cpu_times() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    CpuTimes t;
    t.user_s = static_cast<double>(ru.ru_utime.tv_sec) + ru.ru_utime.tv_usec / 1e6;
    t.sys_s = static_cast<double>(ru.ru_stime.tv_sec) + ru.ru_stime.tv_usec / 1e6;
    return t;
}

}  // namespace bench::sys
