#include "app/legacy/implementation_detect.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace bench {
namespace {

// Fields only ik_llama.cpp's llama-bench prints (its own switches; upstream never had them).
const std::vector<std::string> kIkFields = {"repack",  "mla_attn", "fused_moe",  "rcache",         "attn_max_batch",
                                            "ser",     "use_thp",  "muge",       "no_fused_up_gate", "grouped_er",
                                            "no_ooae", "sas",      "mqkv",       "defer_experts",  "max_gpu",
                                            "cuda_params", "reuse"};
// Upstream llama-bench since it listed backends by name (2024-10 on).
const std::vector<std::string> kUpstreamFields = {"backends", "devices", "n_depth"};
// The older llama-bench field set, one flag per GPU backend: upstream llama.cpp before
// `backends`, and the fork bitnet.cpp pins.
const std::vector<std::string> kOlderFields = {"cuda", "kompute", "vulkan", "metal", "sycl", "gpu_blas"};

// Every field a known llama-bench (any of the three) prints; a field outside this set names a fork.
const std::set<std::string>& known_fields() {
    static const std::set<std::string> fields = [] {
        std::set<std::string> s = {
            "build_commit", "build_number", "cpu_info", "gpu_info", "model_filename", "model_type", "model_size",
            "model_n_params", "n_batch", "n_ubatch", "n_threads", "cpu_mask", "cpu_strict", "poll", "type_k",
            "type_v", "n_gpu_layers", "n_cpu_moe", "split_mode", "main_gpu", "no_kv_offload", "flash_attn",
            "tensor_split", "tensor_buft_overrides", "override_tensor", "use_mmap", "use_direct_io", "load_mode",
            "embeddings", "no_op_offload", "no_host", "fit_min_ctx", "fit_target", "defrag_thold", "rpc",
            "rpc_servers", "blas", "opencl", "n_prompt", "n_gen", "test_time", "test", "avg_ns", "stddev_ns",
            "avg_ts", "stddev_ts", "samples_ns", "samples_ts", "n_cpu_moe"};
        for (const auto* list : {&kIkFields, &kUpstreamFields, &kOlderFields}) s.insert(list->begin(), list->end());
        return s;
    }();
    return fields;
}

// Builds met in this project (tests/fixtures, side-by-side measurements): commit prefix -> implementation.
struct KnownBuild {
    const char* commit;
    const char* implementation;
    const char* what;
};
const KnownBuild kKnownBuilds[] = {
    {"406a5036", "bitnet.cpp", "the llama.cpp fork pinned by microsoft/BitNet 4645960"},
    {"8337e4cd3", "ik_llama.cpp", "a build of ikawrakow/ik_llama.cpp"},
    {"3f545becc", "llama.cpp", "a build of upstream ggml-org/llama.cpp"},
};

std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}
std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool has_field(const nlohmann::json& f, const std::string& key) { return f.is_object() && f.contains(key); }

std::vector<std::string> present(const nlohmann::json& f, const std::vector<std::string>& keys) {
    std::vector<std::string> out;
    for (const auto& k : keys)
        if (has_field(f, k)) out.push_back(k);
    return out;
}

std::string joined(const std::vector<std::string>& v, size_t max = 99) {
    std::string s;
    for (size_t i = 0; i < v.size() && i < max; ++i) s += (i ? ", " : "") + v[i];
    if (v.size() > max) s += ", ...";
    return s;
}

// Whole-token, case-insensitive ("I2_S" in "bitnet ?B I2_S - 2 bpw ternary").
bool contains_token(const std::string& haystack, const std::string& token) {
    const std::string h = upper(haystack);
    size_t pos = 0;
    while ((pos = h.find(token, pos)) != std::string::npos) {
        const bool left = pos == 0 || !std::isalnum(static_cast<unsigned char>(h[pos - 1]));
        const size_t end = pos + token.size();
        const bool right = end >= h.size() || !std::isalnum(static_cast<unsigned char>(h[end]));
        if (left && right) return true;
        pos = end;
    }
    return false;
}

std::string text_field(const nlohmann::json& f, const char* key) {
    if (!has_field(f, key) || f.at(key).is_null()) return {};
    return f.at(key).is_string() ? f.at(key).get<std::string>() : f.at(key).dump();
}

// "version: 4840 (8337e4cd3)" -> "8337e4cd3"; llama-server's build_info "b10587-3f545becc" too.
std::string commit_from_text(const std::string& text) {
    const auto open = text.find("version:");
    if (open != std::string::npos) {
        const auto l = text.find('(', open), r = text.find(')', open);
        if (l != std::string::npos && r != std::string::npos && r > l + 1 && r - l < 48) return text.substr(l + 1, r - l - 1);
    }
    const auto dash = text.find('-');
    if (!text.empty() && text[0] == 'b' && dash != std::string::npos) return text.substr(dash + 1);
    return {};
}

const KnownBuild* known_build(const std::string& commit) {
    if (commit.size() < 7) return nullptr;
    for (const auto& b : kKnownBuilds) {
        const std::string k = b.commit;
        const size_t n = std::min(k.size(), commit.size());
        if (k.compare(0, n, commit, 0, n) == 0) return &b;
    }
    return nullptr;
}

}  // namespace

ImplementationGuess detect_implementation(const ProgramReport& report) {
    const nlohmann::json& f = report.fields;
    ImplementationGuess g;
    const std::string model = report.model_type + " " + text_field(f, "model_type") + " " +
                              text_field(f, "model_ftype") + " " + text_field(f, "model_filename");
    std::string commit = report.build_commit;
    if (commit.empty()) commit = text_field(f, "build_commit");
    if (commit.empty()) commit = commit_from_text(text_field(f, "build_info"));
    if (commit.empty()) commit = commit_from_text(report.version_text);
    const std::string version = lower(report.version_text);

    // 1. ik_llama.cpp: its own fields, its own ternary types, or its name in the version text.
    const auto ik = present(f, kIkFields);
    if (ik.size() >= 2) {
        g.name = "ik_llama.cpp";
        g.reason = "fields " + joined(ik, 4) + " are reported only by ik_llama.cpp's llama-bench";
        return g;
    }
    for (const char* t : {"IQ1_BN", "IQ2_BN", "IQ2_BN_R4", "IQ1_BN_R4"})
        if (contains_token(model, t)) {
            g.name = "ik_llama.cpp";
            g.reason = std::string("model type ") + t + " is only run by ik_llama.cpp";
            return g;
        }
    if (version.find("ik_llama") != std::string::npos) {
        g.name = "ik_llama.cpp";
        g.reason = "its --version names ik_llama";
        return g;
    }
    // 2. bitnet.cpp: the types only its fork runs, or its name in the version text.
    for (const char* t : {"I2_S", "TL1", "TL2"})
        if (contains_token(model, t)) {
            g.name = "bitnet.cpp";
            g.reason = std::string("model type ") + t + " is only run by bitnet.cpp";
            return g;
        }
    if (version.find("bitnet") != std::string::npos) {
        g.name = "bitnet.cpp";
        g.reason = "its --version names bitnet";
        return g;
    }
    // 3. A build we know.
    if (const KnownBuild* b = known_build(commit)) {
        g.name = b->implementation;
        g.reason = "build " + commit + " is " + b->what;
        return g;
    }
    // 4. The field sets: anything no known llama-bench prints marks a fork we do not know.
    std::vector<std::string> unknown;
    if (f.is_object())
        for (auto it = f.begin(); it != f.end(); ++it)
            if (!known_fields().count(it.key())) unknown.push_back(it.key());
    const auto upstream = present(f, kUpstreamFields);
    const auto older = present(f, kOlderFields);
    const bool is_bench_line = has_field(f, "avg_ts") || has_field(f, "n_threads");
    if (unknown.empty() && !upstream.empty()) {
        g.name = "llama.cpp";
        g.reason = "upstream llama-bench field set (" + joined(upstream) + "), no fork's own fields";
        return g;
    }
    if (unknown.empty() && !older.empty()) {
        g.name = "llama.cpp";
        g.reason = "older upstream llama-bench field set (" + joined(older, 3) +
                   ", before `backends`); bitnet.cpp's fork prints the same fields, but no bitnet.cpp-only "
                   "model type (I2_S, TL1, TL2) was run";
        return g;
    }
    if (unknown.empty() && !is_bench_line && !commit.empty()) {
        // llama-server /props or --version of an unknown build: nothing says it is a fork.
        g.name = "llama.cpp";
        g.reason = "build " + commit + " reports no fork's fields or model types: assumed upstream llama.cpp";
        return g;
    }
    g.known = false;
    g.unknown_fields = unknown;
    if (upstream.empty()) g.missing_markers.push_back(joined(kUpstreamFields) + " (upstream llama.cpp)");
    if (older.empty()) g.missing_markers.push_back(joined(kOlderFields, 3) + " (older llama.cpp, bitnet.cpp)");
    g.missing_markers.push_back(joined(kIkFields, 4) + " (ik_llama.cpp)");
    if (!unknown.empty()) {
        g.name = "llama.cpp fork (+" + joined(unknown, 3) + ")";
        g.reason = "fields " + joined(unknown) + " are printed by no known implementation";
    } else {
        g.name = commit.empty() ? std::string("unidentified llama-bench") : "unidentified llama-bench " + commit;
        g.reason = "the fields match no known implementation";
    }
    if (!commit.empty()) g.reason += " (build " + commit + ")";
    return g;
}

const std::vector<std::string>& speed_fields(const std::string& implementation) {
    static const std::vector<std::string> common = {"type_k", "type_v", "n_batch", "n_ubatch", "flash_attn",
                                                    "n_depth", "poll", "cpu_strict"};
    static const std::vector<std::string> ik = [] {
        std::vector<std::string> v = common;
        for (const char* k : {"repack", "use_thp", "mla_attn", "fused_moe", "rcache", "ser", "muge", "no_fused_up_gate",
                              "attn_max_batch", "no_ooae", "sas", "mqkv"})
            v.push_back(k);
        return v;
    }();
    return implementation == "ik_llama.cpp" ? ik : common;
}

}  // namespace bench
