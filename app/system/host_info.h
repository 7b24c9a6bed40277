#pragma once
// Facts about the machine recorded with every run (CPU model, cores, OS, kernel, memory).
#include <string>
#include <string_view>

#include "db/run_record.h"

namespace bench::sys {

// Reads /proc/cpuinfo, /proc/meminfo, /etc/os-release and uname; CPU flags from the engine's
// run-time detection. Fields that cannot be read stay empty / 0.
tbdb::HostInfo collect_host_info();

// Physical cores from /proc/cpuinfo text: distinct (physical id, core id) pairs; 0 if unknown.
int count_physical_cores(std::string_view cpuinfo);
int count_logical_cores(std::string_view cpuinfo);

}  // namespace bench::sys
