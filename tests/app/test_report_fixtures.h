#pragma once
// Fixed runs for the report, export and import tests: deterministic values, every field set.
#include <nlohmann/json.hpp>

#include "app/stats/summarize_metric.h"
#include "db/run_record.h"

namespace fixture_runs {

inline tbdb::HostInfo host() {
    tbdb::HostInfo h;
    h.hostname = "bench-host";
    h.cpu_model = "AMD EPYC 7B13";
    h.os = "Debian GNU/Linux 12";
    h.kernel = "6.1.0-18-amd64";
    h.physical_cores = 2;
    h.logical_cores = 2;
    h.cpu_flags = "AVX2 FMA F16C";
    h.mem_total_gb = 23.5;
    return h;
}

inline tbdb::RunRecord pp_run(int64_t id, const std::string& impl, const std::string& kernel, double base_rate,
                              const std::string& uuid) {
    tbdb::RunRecord r;
    r.id = id;
    r.uuid = uuid;
    r.started_at = "2026-11-20T10:0" + std::to_string(id) + ":00Z";
    r.finished_at = "2026-11-20T10:0" + std::to_string(id) + ":30Z";
    r.status = tbdb::RunStatus::Completed;
    r.workload = "pp";
    r.implementation = impl;
    r.kernel = kernel;
    r.impl_version = kernel.empty() ? "3f545becc" : "abc123def456";
    r.threads = 2;
    r.config_json = nlohmann::json{{"n_prompt", 64}, {"n_gen", 0}, {"n_depth", 0}, {"repetitions", 10}}.dump();
    r.host = host();
    r.model.path = "models/tiny-tq2_0.gguf";
    r.model.sha256 = "5f2a9c0d";
    r.model.arch = "bitnet";
    r.model.ternary_type = "TQ2_0";
    r.model.size_bytes = 804864;
    r.model.n_params = 2757888;
    r.source = kernel.empty() ? "import:llamacpp.json" : "run";
    std::vector<double> rates;
    for (int i = 0; i < 10; ++i) rates.push_back(base_rate + (i % 5) * 0.5 * (i % 2 ? 1 : -1) + i * 0.125);
    bench::SummarizeOptions opt;
    opt.percentiles = false;
    r.metrics = bench::summarize_metric("tok_s", "tok/s", rates, opt);
    r.samples.push_back({"tok_s", "tok/s", rates});
    return r;
}

inline tbdb::RunRecord single_run() {
    tbdb::RunRecord r;
    r.id = 3;
    r.uuid = "3b7e0f3c-0000-4000-8000-000000000003";
    r.started_at = "2026-11-20T11:00:00Z";
    r.finished_at = "2026-11-20T11:00:09Z";
    r.status = tbdb::RunStatus::Completed;
    r.workload = "single";
    r.implementation = "ternbench/avx2";
    r.kernel = "avx2";
    r.impl_version = "abc123def456";
    r.threads = 2;
    r.config_json = nlohmann::json{{"workload", "single"}, {"max_tokens", 4}, {"temperature", 0.7}}.dump();
    r.host = host();
    // Text that a spreadsheet would run as a formula, and characters CSV must quote.
    r.model.path = "=HYPERLINK(\"x\"),models/demo small.gguf";
    r.model.sha256 = "";
    r.model.arch = "bitnet-b1.58";
    r.model.ternary_type = "I2_S";
    r.model.size_bytes = 123456789;
    r.model.n_params = 100000000;
    r.source = "run";
    const double ttft[] = {12.5, 13.25, 11.75};
    for (int q = 0; q < 3; ++q) {
        tbdb::RequestRecord req;
        req.index = q;
        req.repetition = q / 2;
        req.prompt_tokens = 7 + q;
        req.output_tokens = 4;
        req.submit_ms = 100.0 * q;
        req.ttft_ms = ttft[q];
        req.e2e_ms = ttft[q] + 30.0 + q;
        req.token_times_ms = {static_cast<float>(ttft[q]), static_cast<float>(ttft[q] + 10.1f),
                              static_cast<float>(ttft[q] + 20.2f), static_cast<float>(ttft[q] + 30.0 + q)};
        req.stop_reason = q == 2 ? "-eos" : "length";
        r.requests.push_back(req);
    }
    r.requests[1].e2e_ms.reset();   // a request that never finished: missing, not zero
    for (int i = 0; i < 2; ++i) {
        tbdb::ResourceSample s;
        s.t_ms = 50.0 * i;
        s.rss_anon_mb = 40.25 + i;
        s.rss_file_mb = 12.5;
        s.vm_hwm_mb = 53.0 + i;
        s.cpu_user_s = 0.1 * i;
        s.cpu_sys_s = 0.01 * i;
        s.threads = 3;
        r.resources.push_back(s);
    }
    auto e2e = bench::summarize_metric("e2e_ms", "ms", {42.5, 41.75});
    auto tt = bench::summarize_metric("ttft_ms", "ms", {12.5, 13.25, 11.75});
    r.metrics.insert(r.metrics.end(), tt.begin(), tt.end());
    r.metrics.insert(r.metrics.end(), e2e.begin(), e2e.end());
    r.metrics.push_back(bench::make_metric("peak_rss_mb", 54.0, "MB", 2));
    r.metrics.push_back(bench::make_metric("cpu_util_pct", std::nullopt, "%", 0, "+not measured: no /proc"));
    r.samples.push_back({"load_ms_warm", "ms", {0.1, 1e-300, 12345678.901234567}});
    return r;
}

inline tbdb::RunRecord failed_run() {
    tbdb::RunRecord r;
    r.id = 4;
    r.uuid = "3b7e0f3c-0000-4000-8000-000000000004";
    r.started_at = "2026-11-20T12:00:00Z";
    r.status = tbdb::RunStatus::Failed;
    r.workload = "tg";
    r.implementation = "bitnet.cpp";
    r.threads = 1;
    r.config_json = "not json {";
    r.error = "llama-bench exited with signal 11 | line one\nline two";
    r.source = "baseline:/opt/bitnet/llama-bench";
    return r;
}

inline std::vector<tbdb::RunRecord> all() {
    return {pp_run(1, "llama.cpp", "", 100.0, "3b7e0f3c-0000-4000-8000-000000000001"),
            pp_run(2, "ternbench/avx2", "avx2", 120.0, "3b7e0f3c-0000-4000-8000-000000000002"), single_run(),
            failed_run()};
}

}  // namespace fixture_runs
