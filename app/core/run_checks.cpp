#include "app/core/run_checks.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "app/core/prompt_file.h"
#include "app/http/endpoint.h"
#include "engine/demo/demo_model.h"
#include "engine/kernels/kernel_set.h"
#include "engine/model/model.h"
#include "engine/runtime/session.h"

namespace bench {
namespace {

// Fixed ranges (README "Flag ranges" lists the same).
constexpr int kMaxRepetitions = 1000000;
constexpr int kMaxWarmup = 10000;
constexpr int kMaxConcurrency = 1024;
constexpr double kMaxRate = 1000;           // requests per second
constexpr double kMaxDuration = 86400;      // one day
constexpr double kMaxArrivals = 100000;     // rate x duration
constexpr double kMaxTemperature = 100;
constexpr int kMaxTopK = 1000000;
constexpr double kMaxSloMs = 3600e3;
constexpr int kMaxSampleIntervalMs = 60000;
constexpr int64_t kMaxContext = 1 << 20;
constexpr double kMaxRequestTimeout = 86400;   // seconds of silence before a stream counts as stalled

RunCheck flags(std::string message) { return {RunCheck::Kind::BadFlags, std::move(message)}; }
RunCheck input(std::string message) { return {RunCheck::Kind::BadInput, std::move(message)}; }

std::string num(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

std::string one_of(const std::vector<std::string>& names) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    return list;
}

bool member(const std::vector<std::string>& names, const std::string& v) {
    return std::find(names.begin(), names.end(), v) != names.end();
}

// "--threads 100000 is out of range: 0..8 (...)".
RunCheck out_of_range(const std::string& flag, double value, double lo, double hi, const std::string& why = {}) {
    return flags(flag + " " + num(value) + " is out of range: allowed " + num(lo) + " to " + num(hi) +
                 (why.empty() ? "" : " (" + why + ")"));
}

bool generates(const std::string& w) {
    return w == "single" || w == "stream" || w == "batch" || w == "server" || w == "scaling" || w == "load";
}

// The model file the run will use when it exists already (a demo model not generated yet is not
// made here: that is the heavy part these checks avoid).
std::optional<std::string> existing_model_file(const BenchmarkSpec& spec) {
    std::string path = spec.model_path;
    if (path.empty()) {
        tern::DemoSpec demo;
        demo.preset = spec.demo_preset;
        demo.type = spec.demo_type;
        demo.arch = spec.demo_arch;
        try {
            path = tern::demo_model_cache_path(demo);
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
    return path;
}

std::optional<tern::HParams> known_hparams(const BenchmarkSpec& spec, std::string& file) {
    const auto path = existing_model_file(spec);
    if (!path) return std::nullopt;
    try {
        const auto info = tern::Model::inspect(*path);   // header and vocabulary only
        if (!info.supported) return std::nullopt;
        file = *path;
        return info.hparams;
    } catch (const std::exception&) {
        return std::nullopt;   // a damaged file is reported by the input check (exit 3)
    }
}

struct ContextLimit {
    int64_t tokens = 0;
    std::string what;   // where the limit comes from, for the message
};

ContextLimit context_limit(const BenchmarkSpec& spec, const std::optional<tern::HParams>& hp,
                           const std::string& file) {
    if (spec.n_ctx > 0) return {spec.n_ctx, "--n-ctx"};
    if (hp) return {tern::default_context(*hp, 0), "the default context of model " + file};
    // No training context known: the engine's cap, the largest default context of any model.
    return {tern::default_context(tern::HParams{}, 0), "the largest default context, used without --n-ctx"};
}

std::string too_long(const char* flag, int64_t tokens, const ContextLimit& limit, const char* lower) {
    return std::string(flag) + " " + std::to_string(tokens) + " tokens cannot fit: the context holds at most " +
           std::to_string(limit.tokens) + " tokens (" + limit.what + "); lower " + lower + " or raise --n-ctx";
}

std::optional<double> mem_available_mib() {
    std::ifstream f("/proc/meminfo");
    std::string key;
    double kib = 0;
    std::string unit;
    while (f >> key >> kib >> unit)
        if (key == "MemAvailable:") return kib / 1024.0;
    return std::nullopt;
}

// Sequences decoded at once (each holds a KV cache of the whole context).
int sequences_at_once(const BenchmarkSpec& spec) {
    if (spec.workload == "batch" || spec.workload == "server") return spec.concurrency;
    if (spec.workload == "scaling") {
        if (spec.sweep_concurrency.empty()) return 8;
        return *std::max_element(spec.sweep_concurrency.begin(), spec.sweep_concurrency.end());
    }
    return 1;
}

RunCheck check_ranges(const BenchmarkSpec& s) {
    if (!member(workload_names(), s.workload))
        return flags("unknown workload '" + s.workload + "' (choose one of: " + one_of(workload_names()) + ")");
    const int tmax = max_threads();
    const std::string tmax_why = "up to 4 x the " + std::to_string(tmax / 4) + " logical CPUs; 0 = physical cores";
    if (s.threads < 0 || s.threads > tmax) return out_of_range("--threads", s.threads, 0, tmax, tmax_why);
    for (int t : s.sweep_threads)
        if (t < 1 || t > tmax) return out_of_range("--sweep-threads value", t, 1, tmax, tmax_why);
    if (s.repetitions < 1 || s.repetitions > kMaxRepetitions)
        return out_of_range("--reps", s.repetitions, 1, kMaxRepetitions);
    if (s.warmup < 0 || s.warmup > kMaxWarmup) return out_of_range("--warmup", s.warmup, 0, kMaxWarmup);
    if (s.concurrency < 1 || s.concurrency > kMaxConcurrency)
        return out_of_range("--concurrency", s.concurrency, 1, kMaxConcurrency);
    for (int c : s.sweep_concurrency)
        if (c < 1 || c > kMaxConcurrency) return out_of_range("--sweep-concurrency value", c, 1, kMaxConcurrency);
    if (s.max_tokens < 0) return out_of_range("--max-tokens", s.max_tokens, 0, double(kMaxContext), "0 = workload default");
    if (s.n_prompt < 1) return out_of_range("-p/--n-prompt", s.n_prompt, 1, double(kMaxContext));
    if (s.n_gen < 1) return out_of_range("-n/--n-gen", s.n_gen, 1, double(kMaxContext));
    if (s.n_ctx < 0 || s.n_ctx > kMaxContext)
        return out_of_range("--n-ctx", double(s.n_ctx), 0, double(kMaxContext), "0 = the model's default");
    if (!std::isfinite(s.temperature) || s.temperature < 0 || s.temperature > kMaxTemperature)
        return out_of_range("--temperature", s.temperature, 0, kMaxTemperature, "0 = greedy");
    if (!std::isfinite(s.top_p) || !(s.top_p > 0.0f && s.top_p <= 1.0f))
        return flags("--top-p " + num(s.top_p) + " is out of range: allowed above 0 up to 1");
    if (s.top_k < 0 || s.top_k > kMaxTopK) return out_of_range("--top-k", s.top_k, 0, kMaxTopK, "0 = off");
    if (!std::isfinite(s.arrival_rate) || !(s.arrival_rate > 0) || s.arrival_rate > kMaxRate)
        return flags("--rate " + num(s.arrival_rate) + " is out of range: allowed above 0 up to " + num(kMaxRate) +
                     " requests/s");
    if (!std::isfinite(s.duration_s) || !(s.duration_s > 0) || s.duration_s > kMaxDuration)
        return flags("--duration " + num(s.duration_s) + " is out of range: allowed above 0 up to " +
                     num(kMaxDuration) + " s");
    if (s.workload == "server") {
        const double expected = s.arrival_rate * s.duration_s;
        if (expected < 1)
            return flags("--rate " + num(s.arrival_rate) + " x --duration " + num(s.duration_s) + " = " + num(expected) +
                         " expected requests: the window must expect at least one; raise --rate or --duration");
        if (expected > kMaxArrivals)
            return flags("--rate " + num(s.arrival_rate) + " x --duration " + num(s.duration_s) + " = " + num(expected) +
                         " expected requests, more than " + num(kMaxArrivals) + "; lower --rate or --duration");
    }
    for (double slo : {s.slo_ttft_ms, s.slo_tpot_ms})
        if (!std::isfinite(slo) || !(slo > 0) || slo > kMaxSloMs)
            return flags("--slo-ttft/--slo-tpot " + num(slo) + " is out of range: allowed above 0 up to " +
                         num(kMaxSloMs) + " ms");
    if (s.sampler_interval_ms < 1 || s.sampler_interval_ms > kMaxSampleIntervalMs)
        return out_of_range("--sample-interval", s.sampler_interval_ms, 1, kMaxSampleIntervalMs, "ms");
    for (const auto& p : s.prompts)
        if (p.empty()) return flags("prompts must not be empty strings");
    if (s.ppl_ctx != 0 && (s.ppl_ctx < 4 || s.ppl_ctx > kMaxContext))
        return out_of_range("--ctx", s.ppl_ctx, 4, double(kMaxContext), "half of each chunk is scored; 0 = 512");
    if (s.ppl_chunks < 0) return out_of_range("--chunks", s.ppl_chunks, 0, 1e9, "0 = all the text holds");
    if (!s.kl_base.empty() && !s.write_kl_base.empty())
        return flags("--kl-base and --write-kl-base exclude each other (a run either reads a base or writes one)");
    return {};
}

// The HTTP driver's flags (`run --endpoint`, `baseline run --llama-server`) and the forbidden
// tokens, which both sides of a comparison use.
RunCheck check_http(const BenchmarkSpec& s) {
    for (int32_t id : s.forbid_tokens)
        if (id < 0) return flags("--forbid-tokens: token ids must be >= 0, got " + std::to_string(id));
    if (!member({"auto", "completion", "v1"}, s.api))
        return flags("--api '" + s.api + "' is not one of: auto, completion, v1");
    if (!std::isfinite(s.request_timeout_s) || !(s.request_timeout_s > 0) || s.request_timeout_s > kMaxRequestTimeout)
        return flags("--request-timeout " + num(s.request_timeout_s) + " is out of range: allowed above 0 up to " +
                     num(kMaxRequestTimeout) + " s");
    if (s.endpoint.empty()) return {};
    if (s.forbid_byte_tokens && s.model_path.empty())
        return flags("--forbid-byte-tokens with --endpoint needs --model (the byte tokens are read from its vocabulary)");
    if (!member({"single", "stream", "batch", "server", "scaling"}, s.workload))
        return flags("--workload " + s.workload +
                     " cannot run against an endpoint (single, stream, batch, server and scaling can)");
    try {
        (void)http::parse_endpoint(s.endpoint);
    } catch (const std::exception& e) {
        return flags(std::string("--endpoint: ") + e.what());
    }
    return {};
}

RunCheck check_names(const BenchmarkSpec& s) {
    if (s.model_path.empty()) {
        if (!member(tern::demo_presets(), s.demo_preset))
            return flags("unknown demo preset '" + s.demo_preset + "' (choose one of: " + one_of(tern::demo_presets()) + ")");
        const std::vector<std::string> types = tern::demo_types();
        if (!member(types, s.demo_type))
            return flags("unknown demo model type '" + s.demo_type + "' (choose one of: " + one_of(types) + ")");
        static const std::vector<std::string> archs = {"bitnet", "bitnet-b1.58"};
        if (!member(archs, s.demo_arch))
            return flags("unknown demo model arch '" + s.demo_arch + "' (choose one of: " + one_of(archs) + ")");
    }
    try {
        (void)tern::select_kernels(s.kernel);
    } catch (const std::exception& e) {
        return flags(std::string("--kernel: ") + e.what());
    }
    return {};
}

RunCheck check_context_and_memory(const BenchmarkSpec& s) {
    // Over HTTP the server holds the context and the KV caches: it refuses what it cannot hold.
    if (!s.endpoint.empty()) return {};
    std::string file;
    const auto hp = known_hparams(s, file);
    const ContextLimit limit = context_limit(s, hp, file);
    const std::string& w = s.workload;
    if (w == "perplexity") {
        // llama-perplexity refuses a -c beyond the model's training context; so do we.
        if (hp && s.ppl_ctx > 0 && hp->n_ctx_train > 0 && s.ppl_ctx > hp->n_ctx_train)
            return flags("--ctx " + std::to_string(s.ppl_ctx) + " is larger than the model's context of " +
                         std::to_string(hp->n_ctx_train) + " tokens (" + file + ")");
        return {};
    }
    if (w == "pp" && s.n_prompt > limit.tokens) return flags(too_long("-p/--n-prompt", s.n_prompt, limit, "-p"));
    if (w == "tg" && s.n_gen > limit.tokens) return flags(too_long("-n/--n-gen", s.n_gen, limit, "-n"));
    // Every prompt has at least one token, so max_tokens must leave room for it.
    if (generates(w) && w != "load" && s.effective_max_tokens() >= limit.tokens)
        return flags("--max-tokens " + std::to_string(s.effective_max_tokens()) +
                     " new tokens plus a prompt cannot fit: the context holds at most " + std::to_string(limit.tokens) +
                     " tokens (" + limit.what + "); lower --max-tokens or raise --n-ctx");
    if (!hp || w == "kernel" || w == "load") return {};
    // Each sequence decoded at once holds a KV cache of the whole context.
    const double elem = s.kv_type == KvType::F16 ? 2.0 : 4.0;
    const double per_seq_mib = 2.0 * double(hp->n_layer) * double(hp->n_head_kv) * double(hp->head_dim) *
                               double(limit.tokens) * elem / (1024.0 * 1024.0);
    const int seqs = sequences_at_once(s);
    const auto avail = mem_available_mib();
    if (avail && per_seq_mib * seqs > *avail) {
        const std::string what = seqs > 1 ? "--concurrency " + std::to_string(seqs) + " sequences" : "one sequence";
        return flags(what + " need " + num(std::round(per_seq_mib * seqs)) + " MiB of KV cache (" +
                     num(std::round(per_seq_mib * 10) / 10) + " MiB each for a context of " +
                     std::to_string(limit.tokens) + " tokens), more than the " + num(std::round(*avail)) +
                     " MiB of memory available; lower " + (seqs > 1 ? "--concurrency or " : "") + "--n-ctx");
    }
    return {};
}

}  // namespace

int max_threads() { return 4 * static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }
int max_concurrency() { return kMaxConcurrency; }

RunCheck check_run_ranges(const BenchmarkSpec& spec) {
    if (auto r = check_ranges(spec); !r.ok()) return r;
    if (auto r = check_http(spec); !r.ok()) return r;
    return check_names(spec);
}

RunCheck check_run_flags(const BenchmarkSpec& spec) {
    if (auto r = check_run_ranges(spec); !r.ok()) return r;
    return check_context_and_memory(spec);
}

RunCheck check_run_inputs(const BenchmarkSpec& spec) {
    if (auto r = check_run_flags(spec); !r.ok()) return r;
    if (!spec.model_path.empty()) {
        std::error_code ec;
        if (!std::filesystem::exists(spec.model_path, ec)) return input("model file not found: " + spec.model_path);
        try {
            const auto info = tern::Model::inspect(spec.model_path);
            // Over HTTP only the tokenizer is read: a server may run files the engine cannot.
            if (!info.supported && spec.endpoint.empty())
                return input("unsupported model " + spec.model_path + ": " + info.unsupported_reason);
        } catch (const std::exception& e) {
            return input(e.what());
        }
    }
    if (!spec.prompts_file.empty()) {
        std::error_code ec;
        if (!std::filesystem::exists(spec.prompts_file, ec))
            return input("prompts file not found: " + spec.prompts_file);
        try {
            load_prompts_file(spec.prompts_file);
        } catch (const std::exception& e) {
            return input(e.what());
        }
    }
    return {};
}

}  // namespace bench
