#include "app/core/benchmark_spec.h"

#include "app/core/run_checks.h"

#include <algorithm>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace bench {

const std::vector<std::string>& workload_names() {
    static const std::vector<std::string> names = {"single", "batch", "stream", "server", "load",
                                                   "scaling", "pp", "tg", "kernel", "perplexity"};
    return names;
}

std::vector<std::string> default_prompts() {
    return {"The future of artificial intelligence", "Rust programming language benefits",
            "High performance computing with BitNet", "Machine learning model optimization",
            "Concurrent processing in modern systems"};
}

const char* kv_type_name(KvType type) { return type == KvType::F16 ? "f16" : "f32"; }

std::optional<KvType> kv_type_from_name(const std::string& name) {
    if (name == "f16") return KvType::F16;
    if (name == "f32") return KvType::F32;
    return std::nullopt;
}

const std::vector<std::string>& kv_type_names() {
    static const std::vector<std::string> names = {kv_type_name(KvType::F16), kv_type_name(KvType::F32)};
    return names;
}

int BenchmarkSpec::effective_max_tokens() const {
    if (max_tokens > 0) return max_tokens;
    return workload == "batch" ? 50 : 100;
}

nlohmann::json BenchmarkSpec::to_json() const {
    return nlohmann::json{
        {"workload", workload},
        {"model_path", model_path},
        {"demo_preset", demo_preset},
        {"demo_type", demo_type},
        {"demo_arch", demo_arch},
        {"kernel", kernel},
        {"threads", threads},
        {"repetitions", repetitions},
        {"warmup", warmup},
        {"concurrency", concurrency},
        {"max_tokens", max_tokens},
        {"prompts", prompts},
        {"prompts_file", prompts_file},
        {"temperature", temperature},
        {"top_p", top_p},
        {"top_k", top_k},
        {"seed", seed},
        {"n_prompt", n_prompt},
        {"n_gen", n_gen},
        {"arrival_rate", arrival_rate},
        {"duration_s", duration_s},
        {"slo_ttft_ms", slo_ttft_ms},
        {"slo_tpot_ms", slo_tpot_ms},
        {"sweep_threads", sweep_threads},
        {"sweep_concurrency", sweep_concurrency},
        {"sampler_interval_ms", sampler_interval_ms},
        {"n_ctx", n_ctx},
        {"kv_type", kv_type_name(kv_type)},
        {"text_file", text_file},
        {"ppl_ctx", ppl_ctx},
        {"ppl_chunks", ppl_chunks},
        {"kl_base", kl_base},
        {"write_kl_base", write_kl_base},
        {"ignore_eos", ignore_eos},
        {"forbid_tokens", forbid_tokens},
        {"forbid_byte_tokens", forbid_byte_tokens},
        {"endpoint", endpoint},
        {"api", api},
        {"request_timeout_s", request_timeout_s},
    };
}

BenchmarkSpec BenchmarkSpec::from_json(const nlohmann::json& j) {
    // Missing keys keep their defaults, so specs stored by older versions still read.
    BenchmarkSpec s;
    auto get = [&j](const char* key, auto& field) {
        if (j.is_object() && j.contains(key) && !j[key].is_null()) j.at(key).get_to(field);
    };
    get("workload", s.workload);
    get("model_path", s.model_path);
    get("demo_preset", s.demo_preset);
    get("demo_type", s.demo_type);
    get("demo_arch", s.demo_arch);
    get("kernel", s.kernel);
    get("threads", s.threads);
    get("repetitions", s.repetitions);
    get("warmup", s.warmup);
    get("concurrency", s.concurrency);
    get("max_tokens", s.max_tokens);
    get("prompts", s.prompts);
    get("prompts_file", s.prompts_file);
    get("temperature", s.temperature);
    get("top_p", s.top_p);
    get("top_k", s.top_k);
    get("seed", s.seed);
    get("n_prompt", s.n_prompt);
    get("n_gen", s.n_gen);
    get("arrival_rate", s.arrival_rate);
    get("duration_s", s.duration_s);
    get("slo_ttft_ms", s.slo_ttft_ms);
    get("slo_tpot_ms", s.slo_tpot_ms);
    get("sweep_threads", s.sweep_threads);
    get("sweep_concurrency", s.sweep_concurrency);
    get("sampler_interval_ms", s.sampler_interval_ms);
    get("n_ctx", s.n_ctx);
    s.kv_type = KvType::F32;  // specs stored before the option existed ran with F32 caches
    std::string kv_name;
    get("kv_type", kv_name);
    if (!kv_name.empty()) {
        const auto kv = kv_type_from_name(kv_name);
        if (!kv) throw std::invalid_argument("kv_type must be f16 or f32, got '" + kv_name + "'");
        s.kv_type = *kv;
    }
    get("text_file", s.text_file);
    get("ppl_ctx", s.ppl_ctx);
    get("ppl_chunks", s.ppl_chunks);
    get("kl_base", s.kl_base);
    get("write_kl_base", s.write_kl_base);
    get("ignore_eos", s.ignore_eos);
    get("forbid_tokens", s.forbid_tokens);
    get("forbid_byte_tokens", s.forbid_byte_tokens);
    get("endpoint", s.endpoint);
    get("api", s.api);
    get("request_timeout_s", s.request_timeout_s);
    return s;
}

std::string BenchmarkSpec::validate() const { return check_run_ranges(*this).message; }

}  // namespace bench
