#pragma once
// A synthetic but realistic run history for the UI tests and the screenshots: several model
// files (the demo model the live run uses, the 1b3 weights as TQ2_0, IQ2_BN and I2_S files),
// several workloads (single, stream, batch, pp512, tg128, tg32), five implementations
// (ternbench/avx512, ternbench/avx2, llama.cpp, ik_llama.cpp with and without -rtr 1,
// bitnet.cpp), 1 and 2 threads, over three weeks, at the scale a 2-core AVX-512 machine gives.
// The figures are made up around those scales; they are test data, not measurements.
#include <string>
#include <vector>

#include <QDateTime>
#include <nlohmann/json.hpp>

#include "app/core/benchmark_spec.h"
#include "app/metrics/metric_builder.h"
#include "app/stats/summarize_metric.h"
#include "db/run_record.h"
#include "tests/ui/ui_test_support.h"

namespace tbtest {

struct ModelFile {
    std::string path, sha256, type;
    int64_t params = 0;
};

inline ModelFile model_1b3_tq2() {
    return {"/models/bitnet_b1_58-large/1b3-tq2_0.gguf", "6c1f0a9e2b7d4c5a8e3f1b0d9c2a7e4f5b8d1c3a6e9f2b4d7c0a1e3f5b7d9c2a",
            "TQ2_0", 1364482048};
}
inline ModelFile model_1b3_iq2bn() { return {"models/1b3-iq2_bn.gguf", "", "IQ2_BN", 1364482048}; }
inline ModelFile model_1b3_i2s() {
    return {"/models/bitnet_b1_58-large/ggml-model-i2_s.gguf",
            "a41e7c2d9b0f3e6a1c8d5b2f7e0a9c4d6b1e3f8a2c5d7b9e0f4a6c1d3e5b7f9a", "I2_S", 1364482048};
}

inline void set_model(tbdb::RunRecord& r, const ModelFile& m) {
    r.model.path = m.path;
    r.model.sha256 = m.sha256;
    r.model.ternary_type = m.type;
    r.model.n_params = m.params;
    r.model.arch = "bitnet";
}

// A pp/tg run of our engine (spec config) or of a llama-bench (its field set).
inline tbdb::RunRecord rate_run(const std::string& workload, int tokens, const std::string& impl, const ModelFile& m,
                                int threads, const QDateTime& started, double centre,
                                const std::vector<std::string>& extra_args = {}) {
    tbdb::RunRecord r = make_run(workload, impl, started, {}, {});
    r.metrics.clear();
    r.samples.clear();
    r.threads = threads;
    set_model(r, m);
    const bool engine = impl.rfind("ternbench/", 0) == 0;
    if (engine) {
        bench::BenchmarkSpec s;
        s.workload = workload;
        s.threads = threads;
        (workload == "pp" ? s.n_prompt : s.n_gen) = tokens;
        r.config_json = s.to_json().dump();
        r.impl_version = "a480e86";
    } else {
        nlohmann::json c = {{"n_prompt", workload == "pp" ? tokens : 0}, {"n_gen", workload == "tg" ? tokens : 0},
                            {"n_depth", 0}, {"n_threads", threads}, {"type_k", "f16"}, {"type_v", "f16"},
                            {"flash_attn", impl == "ik_llama.cpp"}};
        if (impl == "ik_llama.cpp") {
            c["repack"] = false;
            c["use_thp"] = false;
            c["mla_attn"] = 3;
            c["fused_moe"] = true;
        }
        if (!extra_args.empty()) c["extra_args"] = extra_args;
        c["implementation_detected_by"] = "synthetic test data";
        r.config_json = c.dump();
        r.impl_version = impl == "llama.cpp" ? "3f545becc" : impl == "ik_llama.cpp" ? "8337e4cd3" : "406a5036";
        r.source = m.sha256.empty() ? "import:results.json" : "baseline:/opt/" + impl + "/build/bin/llama-bench";
        r.kernel.clear();
    }
    const auto v = around(centre, 5, 0.03);
    bench::SummarizeOptions opt;
    opt.percentiles = false;
    r.metrics = bench::summarize_metric("tok_s", "tok/s", v, opt);
    r.samples.push_back({"tok_s", "tok/s", v});
    return r;
}

// A generating workload of our engine on the demo model, with the spec the live run uses.
inline tbdb::RunRecord gen_run(const std::string& workload, const std::string& impl, const ModelFile& m,
                               const QDateTime& started, double tok_s, double e2e_ms, int max_tokens) {
    tbdb::RunRecord r = make_run(workload, impl, started, around(tok_s, 9), around(e2e_ms, 20, 0.06));
    set_model(r, m);
    r.model.arch = "bitnet-b1.58";
    bench::BenchmarkSpec s;
    s.workload = workload;
    s.threads = 2;
    s.max_tokens = max_tokens;
    s.repetitions = 1;
    s.warmup = 0;
    r.config_json = s.to_json().dump();
    r.impl_version = "a480e86";
    return r;
}

// The history: `demo` is the demo model file the live run of the test uses (so it joins its
// configuration), max_tokens the live run's.
inline std::vector<tbdb::RunRecord> mixed_history(const ModelFile& demo, int max_tokens, const QDateTime& t0) {
    std::vector<tbdb::RunRecord> runs;
    const auto tq2 = model_1b3_tq2(), iq2 = model_1b3_iq2bn(), i2s = model_1b3_i2s();
    for (int day = 0; day < 21; ++day) {
        const QDateTime t = t0.addDays(day);
        const double drift = 1.0 + 0.012 * ((day * 5) % 7 - 3);
        // The engine, every day: the demo model's single and stream runs (the avx2 path loses
        // 30% on day 17: a regression), and the 1b3 file's pp512 and tg128.
        const double avx2 = (day == 17 ? 0.7 : 1.0) * drift;
        runs.push_back(gen_run("single", "ternbench/avx512", demo, t, 61.0 * drift, 16000.0 / (61.0 * drift), max_tokens));
        runs.push_back(gen_run("single", "ternbench/avx2", demo, t.addSecs(600), 52.0 * avx2, 16000.0 / (52.0 * avx2), max_tokens));
        runs.push_back(gen_run("stream", "ternbench/avx512", demo, t.addSecs(1200), 58.0 * drift, 17000.0 / (58.0 * drift), max_tokens));
        runs.push_back(gen_run("stream", "ternbench/avx2", demo, t.addSecs(1800), 50.0 * avx2, 17500.0 / (50.0 * avx2), max_tokens));
        runs.push_back(rate_run("pp", 512, "ternbench/avx512", tq2, 2, t.addSecs(2400), 134.0 * drift));
        runs.push_back(rate_run("tg", 128, "ternbench/avx512", tq2, 2, t.addSecs(3000), 38.5 * drift));
        runs.push_back(rate_run("tg", 128, "ternbench/avx2", tq2, 2, t.addSecs(3600), 41.0 * avx2));
        if (day % 3 == 0) {
            runs.push_back(rate_run("tg", 128, "ternbench/avx512", tq2, 1, t.addSecs(4200), 22.0 * drift));
            runs.push_back(rate_run("tg", 32, "ternbench/avx512", tq2, 2, t.addSecs(4500), 40.0 * drift));
            auto batch = gen_run("batch", "ternbench/avx512", demo, t.addSecs(4800), 150.0 * drift, 23000.0, max_tokens);
            runs.push_back(batch);
        }
        // Legacy baselines now and then: llama.cpp on the same TQ2_0 file, ik_llama.cpp on its
        // IQ2_BN file (imported, no sha256) with and without run-time repacking, bitnet.cpp on I2_S.
        if (day % 4 == 1) {
            runs.push_back(rate_run("pp", 512, "llama.cpp", tq2, 2, t.addSecs(5400), 64.0 * drift));
            runs.push_back(rate_run("tg", 128, "llama.cpp", tq2, 2, t.addSecs(6000), 21.5 * drift));
            runs.push_back(rate_run("tg", 128, "llama.cpp", tq2, 1, t.addSecs(6300), 12.0 * drift));
        }
        if (day % 5 == 2) {
            runs.push_back(rate_run("pp", 512, "ik_llama.cpp", iq2, 2, t.addSecs(6600), 108.0 * drift));
            runs.push_back(rate_run("pp", 512, "ik_llama.cpp", iq2, 2, t.addSecs(6700), 152.0 * drift, {"-rtr", "1"}));
            runs.push_back(rate_run("tg", 128, "ik_llama.cpp", iq2, 2, t.addSecs(6800), 27.5 * drift));
        }
        if (day % 6 == 3) {
            runs.push_back(rate_run("pp", 512, "bitnet.cpp", i2s, 2, t.addSecs(7200), 92.0 * drift));
            runs.push_back(rate_run("tg", 128, "bitnet.cpp", i2s, 2, t.addSecs(7500), 29.0 * drift));
            // bitnet.cpp's llama-server streaming from the demo model (it runs I2_S), driven over
            // HTTP with the engine's stream spec: a latency baseline beside the engine's runs.
            auto served = gen_run("stream", "bitnet.cpp", demo, t.addSecs(7800), 41.0 * drift, 24500.0 / (41.0 * drift), max_tokens);
            auto cfg = nlohmann::json::parse(served.config_json);
            cfg["http"] = {{"over_http", true}, {"endpoint", "http://127.0.0.1:8081"}, {"api", "completion"},
                           {"implementation_detected_by", "synthetic test data"}};
            served.config_json = cfg.dump();
            served.impl_version = "406a5036";
            served.kernel.clear();
            served.source = "baseline:/opt/bitnet.cpp/build/bin/llama-server";
            runs.push_back(served);
        }
    }
    for (auto& r : runs) r.host.cpu_model = "AMD EPYC 9R14 (2 cores, AVX-512)";
    return runs;
}

}  // namespace tbtest
