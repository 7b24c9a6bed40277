#pragma once
// What to benchmark: one workload with its parameters. Comes from CLI flags or the Run page,
// is stored with the run as JSON (config_json), and is all a Runner needs.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace bench {

// Workload names, the same in CLI, DB, UI and reports (docs/ARCHITECTURE.md section 3).
const std::vector<std::string>& workload_names();
std::vector<std::string> default_prompts();  // the five prompts of the migration benchmark

// KV cache element type. F16 is llama-bench's default (half the memory and attention reads);
// F32 is the engine's reference. Parsed from its name once, where text comes in (flags, JSON).
enum class KvType { F16, F32 };
const char* kv_type_name(KvType type);                           // "f16", "f32"
std::optional<KvType> kv_type_from_name(const std::string& name);
const std::vector<std::string>& kv_type_names();

struct BenchmarkSpec {
    std::string workload = "single";
    std::string model_path;             // empty: the built-in demo model below
    std::string demo_preset = "small";
    std::string demo_type = "i2_s";
    std::string demo_arch = "bitnet-b1.58";
    std::string kernel = "auto";
    int threads = 0;                    // 0: physical cores
    int repetitions = 5;
    int warmup = 1;
    int concurrency = 4;                // batch: requests at once; server: max batch
    int max_tokens = 0;                 // 0: workload default (100 single/stream, 50 batch)
    std::vector<std::string> prompts;   // empty: default_prompts()
    std::string prompts_file;           // one prompt per line, or JSONL with "prompt"/"text"
    float temperature = 0.7f;
    float top_p = 0.9f;
    int top_k = 0;
    uint64_t seed = 42;
    int n_prompt = 512;                 // pp
    int n_gen = 128;                    // tg
    double arrival_rate = 2.0;          // server: requests per second (Poisson)
    double duration_s = 10.0;           // server
    double slo_ttft_ms = 2000.0;        // server goodput SLOs
    double slo_tpot_ms = 200.0;
    std::vector<int> sweep_threads;     // scaling; empty: 1..physical cores
    std::vector<int> sweep_concurrency; // scaling; empty: 1,2,4,8
    int sampler_interval_ms = 50;
    int64_t n_ctx = 0;                  // 0: engine default
    KvType kv_type = KvType::F16;
    // perplexity (llama-perplexity's method, FORMATS.md section 8)
    std::string text_file;              // empty: the built-in text (or the KL base's tokens)
    int ppl_ctx = 0;                    // --ctx: tokens per chunk (llama-perplexity -c); 0: 512,
                                        // llama-perplexity's default, or the KL base's
    int ppl_chunks = 0;                 // --chunks: 0 = as many as the text holds
    std::string kl_base;                // --kl-base: KL divergence against this base file
    std::string write_kl_base;          // --write-kl-base: write a base file of this run

    // Generation continues past end-of-generation tokens (llama-server's ignore_eos), so every
    // request yields exactly the requested token count on both sides of a comparison.
    bool ignore_eos = false;
    // Token ids the sampler must never pick (logit_bias [[id, false], ...] over HTTP), and
    // whether to add the vocabulary's byte tokens: demo models need those forbidden for
    // llama-server (FORMATS.md section 7), identically on both sides.
    std::vector<int32_t> forbid_tokens;
    bool forbid_byte_tokens = false;

    // HTTP: run the latency workload against this server (http://HOST:PORT) instead of the
    // in-process engine; `api` is auto|completion|v1. The API key comes only from the
    // environment (TERNBENCH_API_KEY) and is never stored.
    std::string endpoint;
    std::string api = "auto";
    double request_timeout_s = 120;     // longest silence of one streamed request (stall)

    int effective_max_tokens() const;
    int effective_ppl_ctx() const { return ppl_ctx > 0 ? ppl_ctx : 512; }
    nlohmann::json to_json() const;
    static BenchmarkSpec from_json(const nlohmann::json& j);
    // Empty when valid, else a message naming the bad parameter.
    std::string validate() const;
};

}  // namespace bench
