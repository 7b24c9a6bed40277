#pragma once
// Shared pieces of the db test suites: a fully populated RunRecord and file helpers.
#include <QtTest>

#include <fstream>
#include <iterator>
#include <string>

#include "db/run_record.h"

namespace tbtest {

// Every field set to something distinct, including a metric that could not be measured.
inline tbdb::RunRecord full_run(const std::string& workload = "single", int seed = 1) {
    tbdb::RunRecord r;
    r.started_at = "2026-11-27T01:00:0" + std::to_string(seed % 10) + ".000Z";
    r.finished_at = "2026-11-27T01:05:00.000Z";
    r.status = tbdb::RunStatus::Completed;
    r.workload = workload;
    r.implementation = "ternbench/avx2";
    r.kernel = "avx2";
    r.impl_version = "abc123def456";
    r.threads = 2 + seed % 3;
    r.config_json = R"({"workload":")" + workload + R"(","reps":5,"prompt":"quote \" and ü"})";
    r.host = {"bench-host", "AMD EPYC 7B13", "Debian GNU/Linux 12", "6.1.0-18-amd64", 1, 2,
              "AVX2 FMA F16C", 23.4};
    r.model = {"/models/bitnet-2b.gguf", std::string(64, 'a'), "bitnet-b1.58", "I2_S",
               1187801280, 2412820480};
    r.error = "";
    r.source = "run";
    r.metrics = {
        {"tok_s", 12.5 + seed, "tok/s", 5, ""},
        {"ttft_ms_p50", 81.25, "ms", 25, ""},
        {"ttft_ms_p99", std::nullopt, "ms", 25, "needs >= 100 samples for p99"},
        {"peak_rss_mb", 1523.75, "MB", 1, ""},
    };
    r.samples = {{"tok_s", "tok/s", {12.1, 12.7, 12.4999999999, 1e-300, 13.0}},
                 {"empty_series", "ms", {}}};
    tbdb::RequestRecord a;
    a.index = 0;
    a.repetition = 1;
    a.prompt_tokens = 7;
    a.output_tokens = 4;
    a.submit_ms = 10.5;
    a.ttft_ms = 80.125;
    a.e2e_ms = 200.0625;
    a.token_times_ms = {80.125f, 120.3f, 160.7f, 200.0625f};
    a.stop_reason = "length";
    tbdb::RequestRecord b;   // a request that produced nothing measurable
    b.index = 1;
    b.repetition = 1;
    b.prompt_tokens = 3;
    b.stop_reason = "error";
    r.requests = {a, b};
    r.resources = {{0, 100.5, 900.25, 1001, 0.01, 0.002, 3}, {50, 110.5, 901.0, 1012, 0.2, 0.01, 3}};
    return r;
}

inline std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Field-by-field equality with a message naming the first difference ("" when equal).
inline std::string difference(const tbdb::RunRecord& a, const tbdb::RunRecord& b) {
#define TB_CMP(field) \
    if (!(a.field == b.field)) return #field;
    TB_CMP(id) TB_CMP(uuid) TB_CMP(started_at) TB_CMP(finished_at) TB_CMP(status)
    TB_CMP(workload) TB_CMP(implementation) TB_CMP(kernel) TB_CMP(impl_version) TB_CMP(threads)
    TB_CMP(config_json) TB_CMP(error) TB_CMP(source)
    TB_CMP(host.hostname) TB_CMP(host.cpu_model) TB_CMP(host.os) TB_CMP(host.kernel)
    TB_CMP(host.physical_cores) TB_CMP(host.logical_cores) TB_CMP(host.cpu_flags)
    TB_CMP(host.mem_total_gb)
    TB_CMP(model.path) TB_CMP(model.sha256) TB_CMP(model.arch) TB_CMP(model.ternary_type)
    TB_CMP(model.size_bytes) TB_CMP(model.n_params)
    TB_CMP(metrics.size()) TB_CMP(samples.size()) TB_CMP(requests.size())
    TB_CMP(resources.size())
    for (size_t i = 0; i < a.metrics.size(); ++i) {
        TB_CMP(metrics[i].name) TB_CMP(metrics[i].value) TB_CMP(metrics[i].unit)
        TB_CMP(metrics[i].n) TB_CMP(metrics[i].note)
    }
    for (size_t i = 0; i < a.samples.size(); ++i) {
        TB_CMP(samples[i].name) TB_CMP(samples[i].unit) TB_CMP(samples[i].values)
    }
    for (size_t i = 0; i < a.requests.size(); ++i) {
        TB_CMP(requests[i].index) TB_CMP(requests[i].repetition)
        TB_CMP(requests[i].prompt_tokens) TB_CMP(requests[i].output_tokens)
        TB_CMP(requests[i].submit_ms) TB_CMP(requests[i].ttft_ms) TB_CMP(requests[i].e2e_ms)
        TB_CMP(requests[i].token_times_ms) TB_CMP(requests[i].stop_reason)
    }
    for (size_t i = 0; i < a.resources.size(); ++i) {
        TB_CMP(resources[i].t_ms) TB_CMP(resources[i].rss_anon_mb)
        TB_CMP(resources[i].rss_file_mb) TB_CMP(resources[i].vm_hwm_mb)
        TB_CMP(resources[i].cpu_user_s) TB_CMP(resources[i].cpu_sys_s)
        TB_CMP(resources[i].threads)
    }
#undef TB_CMP
    return "";
}

}  // namespace tbtest
