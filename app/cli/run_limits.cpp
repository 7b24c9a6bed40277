#include "app/cli/run_limits.h"

#include <filesystem>
#include <optional>

#include "engine/demo/demo_model.h"
#include "engine/model/model.h"
#include "engine/runtime/session.h"

namespace bench::cli {
namespace {

struct ContextLimit {
    int64_t tokens = 0;
    std::string what;   // where the limit comes from, for the message
};

// The model file the run will use when it exists already (a demo model not generated yet is not
// made here: that is the heavy part this check avoids).
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
            return std::nullopt;   // an unknown preset is reported by the run itself
        }
    }
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
    return path;
}

ContextLimit context_limit(const BenchmarkSpec& spec) {
    if (spec.n_ctx > 0) return {spec.n_ctx, "--n-ctx"};
    if (auto file = existing_model_file(spec)) {
        try {
            const auto info = tern::Model::inspect(*file);   // header and vocabulary only
            if (info.supported)
                return {tern::default_context(info.hparams, 0), "the default context of model " + *file};
        } catch (const std::exception&) {
            // A damaged file is reported by the run (exit 3); fall back to the general limit.
        }
    }
    // No training context known: the engine's cap, the largest default context of any model.
    return {tern::default_context(tern::HParams{}, 0), "the largest default context, used without --n-ctx"};
}

std::string too_long(const char* flag, int64_t tokens, const ContextLimit& limit, const char* lower) {
    return std::string(flag) + " " + std::to_string(tokens) + " tokens cannot fit: the context holds at most " +
           std::to_string(limit.tokens) + " tokens (" + limit.what + "); lower " + lower + " or raise --n-ctx";
}

}  // namespace

std::string context_limit_problem(const BenchmarkSpec& spec) {
    const std::string& w = spec.workload;
    if (w == "perplexity") {
        // llama-perplexity refuses a -c beyond the model's training context; so do we.
        const auto file = existing_model_file(spec);
        if (!file || spec.ppl_ctx <= 0) return {};
        try {
            const auto info = tern::Model::inspect(*file);
            const int64_t train = info.hparams.n_ctx_train;
            if (info.supported && train > 0 && spec.ppl_ctx > train)
                return "--ctx " + std::to_string(spec.ppl_ctx) + " is larger than the context of model " + *file +
                       " (" + std::to_string(train) + " tokens)";
        } catch (const std::exception&) {
        }
        return {};
    }
    const bool generates = w == "single" || w == "stream" || w == "batch" || w == "server" || w == "scaling";
    if (w != "pp" && w != "tg" && !generates) return {};
    const ContextLimit limit = context_limit(spec);
    if (w == "pp" && spec.n_prompt > limit.tokens) return too_long("-p/--n-prompt", spec.n_prompt, limit, "-p");
    if (w == "tg" && spec.n_gen > limit.tokens) return too_long("-n/--n-gen", spec.n_gen, limit, "-n");
    // Every prompt has at least one token, so max_tokens must leave room for it.
    if (generates && spec.effective_max_tokens() >= limit.tokens)
        return "--max-tokens " + std::to_string(spec.effective_max_tokens()) +
               " new tokens plus a prompt cannot fit: the context holds at most " + std::to_string(limit.tokens) +
               " tokens (" + limit.what + "); lower --max-tokens or raise --n-ctx";
    return {};
}

}  // namespace bench::cli
