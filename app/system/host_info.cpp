#include "app/system/host_info.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <set>
#include <sstream>
#include <utility>

#include "app/system/text_file.h"
#include "engine/kernels/kernel_set.h"

namespace bench::sys {
namespace {

std::string read_text(const char* path) { return read_text_file(path).value_or(std::string()); }

std::string trim(std::string s) {
    const char* ws = " \t\r\n\"";
    size_t b = s.find_first_not_of(ws);
    if (b == std::string::npos) return {};
    size_t e = s.find_last_not_of(ws);
    return s.substr(b, e - b + 1);
}

// Value after "key<spaces>:" (cpuinfo) or "key=" (os-release) on its line.
std::string value_of(std::string_view text, std::string_view key, char sep) {
    std::istringstream in{std::string(text)};
    std::string line;
    while (std::getline(in, line)) {
        size_t p = line.find(sep);
        if (p == std::string::npos) continue;
        if (trim(line.substr(0, p)) == key) return trim(line.substr(p + 1));
    }
    return {};
}

}  // namespace

int count_physical_cores(std::string_view cpuinfo) {
    std::set<std::pair<std::string, std::string>> cores;
    std::istringstream in{std::string(cpuinfo)};
    std::string line, phys;
    while (std::getline(in, line)) {
        size_t p = line.find(':');
        if (p == std::string::npos) continue;
        std::string key = trim(line.substr(0, p)), val = trim(line.substr(p + 1));
        if (key == "physical id") phys = val;
        else if (key == "core id") cores.emplace(phys, val);
    }
    return static_cast<int>(cores.size());
}

int count_logical_cores(std::string_view cpuinfo) {
    int n = 0;
    std::istringstream in{std::string(cpuinfo)};
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("processor", 0) == 0 && line.find(':') != std::string::npos) ++n;
    return n;
}

tbdb::HostInfo collect_host_info() {
    tbdb::HostInfo h;
    char name[256] = {};
    if (gethostname(name, sizeof(name) - 1) == 0) h.hostname = name;

    const std::string cpuinfo = read_text("/proc/cpuinfo");
    const auto& features = tern::cpu_features();
    h.cpu_model = value_of(cpuinfo, "model name", ':');
    if (h.cpu_model.empty()) h.cpu_model = trim(features.brand);
    h.logical_cores = count_logical_cores(cpuinfo);
    if (h.logical_cores == 0) h.logical_cores = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
    h.physical_cores = count_physical_cores(cpuinfo);
    if (h.physical_cores == 0) h.physical_cores = h.logical_cores;  // no topology lines (some VMs/ARM)
    h.cpu_flags = tern::cpu_features_string(features);

    h.os = value_of(read_text("/etc/os-release"), "PRETTY_NAME", '=');
    utsname u{};
    if (uname(&u) == 0) {
        h.kernel = std::string(u.sysname) + " " + u.release + " " + u.machine;
        if (h.os.empty()) h.os = u.sysname;
    }
    const std::string mem = value_of(read_text("/proc/meminfo"), "MemTotal", ':');
    if (!mem.empty()) h.mem_total_gb = std::stod(mem) / (1024.0 * 1024.0);  // kB -> GiB
    return h;
}

}  // namespace bench::sys
