#pragma once
// The child side of the `load` workload (hidden subcommand `ternbench __load-probe`): loads the
// model, produces one token and prints one JSON line with its own timings and memory:
//   {"t_main_ns": steady ns at entry, "t_loaded_ns", "t_first_token_ns", "load_ms", "map_ms",
//    "repack_ms", "vm_hwm_mb", "rss_anon_mb", "rss_file_mb", "kernel"}
// Steady-clock nanoseconds are CLOCK_MONOTONIC, comparable with the parent's clock.
#include <string>

namespace bench {

struct LoadProbeArgs {
    std::string model_path;
    std::string kernel = "auto";
    int threads = 0;
};

// Returns the process exit code (0 ok; 1 with a JSON {"error": ...} line on failure).
int run_load_probe(const LoadProbeArgs& args);

}  // namespace bench
