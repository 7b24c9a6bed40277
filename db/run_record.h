#pragma once
// Plain data of one benchmark run as stored. No behaviour here: the store persists these,
// the benchmark core fills them, reports and the window read them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tbdb {

enum class RunStatus { Running, Completed, Failed, Cancelled, Interrupted };
const char* status_name(RunStatus s);                  // "running", "completed", ...
std::optional<RunStatus> status_from_name(const std::string& s);

struct HostInfo {
    std::string hostname, cpu_model, os, kernel;
    int physical_cores = 0, logical_cores = 0;
    std::string cpu_flags;   // "AVX2 FMA F16C ..."
    double mem_total_gb = 0;
};

struct ModelRecord {
    std::string path, sha256, arch, ternary_type;   // sha256 empty when not computed
    int64_t size_bytes = 0, n_params = 0;
};

// One summary figure. value empty = could not be measured (shown as missing, never filled in).
struct Metric {
    std::string name;        // e.g. "ttft_ms_p50", "tok_s"
    std::optional<double> value;
    std::string unit;        // "ms", "tok/s", "MB", "%", ...
    int64_t n = 0;           // samples behind the figure
    std::string note;        // e.g. "needs >= 100 samples for p99"
};

// Raw repeated measurement of one quantity (e.g. per-repetition tok/s), kept for statistics.
struct SampleSeries {
    std::string name;        // e.g. "tok_s", "load_ms_cold"
    std::string unit;
    std::vector<double> values;
};

// One request of a latency workload. Times in ms relative to the run's t0.
struct RequestRecord {
    int index = 0;
    int repetition = 0;
    int prompt_tokens = 0, output_tokens = 0;
    double submit_ms = 0;
    std::optional<double> ttft_ms, e2e_ms;
    std::vector<float> token_times_ms;   // per output token, relative to submit
    std::string stop_reason;
};

struct ResourceSample {
    double t_ms = 0;             // since run start
    double rss_anon_mb = 0, rss_file_mb = 0, vm_hwm_mb = 0;
    double cpu_user_s = 0, cpu_sys_s = 0;
    int threads = 0;
};

struct RunRecord {
    int64_t id = 0;              // assigned by the store
    std::string uuid;
    std::string started_at, finished_at;   // ISO-8601 UTC
    RunStatus status = RunStatus::Running;
    std::string workload;        // single|batch|stream|server|load|scaling|pp|tg|kernel
    std::string implementation;  // "ternbench/avx2", "llama.cpp", "bitnet.cpp"
    std::string kernel;          // "avx2", "scalar", ... (empty for external)
    std::string impl_version;    // engine commit or external build_commit
    int threads = 0;
    std::string config_json;     // the full BenchmarkSpec as JSON
    HostInfo host;
    ModelRecord model;
    std::string error;           // when failed
    std::string source;          // "run", "import:<file>", "baseline:<program>"
    std::vector<Metric> metrics;
    std::vector<SampleSeries> samples;
    std::vector<RequestRecord> requests;
    std::vector<ResourceSample> resources;

    const Metric* metric(const std::string& name) const;  // find_metric(metrics, name)
};

// The metric called `name` in a run's list, or nullptr (names are unique within a run).
const Metric* find_metric(const std::vector<Metric>& metrics, const std::string& name);

}  // namespace tbdb
