#pragma once
// Reads what llama-perplexity (llama.cpp's or bitnet.cpp's build) prints: the running PPL per
// chunk (`[1]72661.1657,[2]...`), `Final estimate: PPL = X +/- E`, and with --kl-divergence
// the per-chunk table and the statistics blocks (Mean PPL(Q), Mean PPL(base), their ratio,
// KLD mean/median/99 %/maximum, RMS delta p, Same top p). Also the chunking line, the build
// line and the prompt-eval rate of llama_perf_context_print when present. Figures it does not
// print stay missing.
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "db/run_record.h"

namespace bench {

struct LlamaPerplexityError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct LlamaPerplexityResult {
    std::vector<double> running_ppl;         // as printed: PPL over all chunks so far
    std::vector<double> chunk_ppl;           // PPL of each chunk alone, derived from running_ppl
    std::optional<double> ppl, ppl_err;      // final estimate (or Mean PPL(Q) in KL mode)
    std::optional<double> ppl_base, ppl_ratio;
    std::optional<double> kld_mean, kld_median, kld_p99, kld_max, same_top_pct, dp_rms_pct;
    std::optional<int> n_ctx, n_chunk, threads;
    std::optional<double> prompt_tok_s;      // llama_perf_context_print's prompt eval rate
    std::optional<double> prompt_tokens;
    std::string build;                       // "4567 (3f545becc)" from "build: ..."
    std::string commit;                      // "3f545becc"
    bool kl_mode = false;

    bool has_result() const { return ppl.has_value() || kld_mean.has_value(); }
    // ppl, ppl_err, nll_mean, scored_tokens, n_chunks, tok_s and the KL figures, with the same
    // names as the engine's perplexity workload (missing ones are left out).
    void add_metrics(std::vector<tbdb::Metric>& out) const;
};

// Throws LlamaPerplexityError (naming origin) when the text holds no perplexity result; the
// message carries llama-perplexity's own error line when there is one.
LlamaPerplexityResult parse_llama_perplexity(const std::string& text, const std::string& origin);

// True when a text looks like llama-perplexity output (for `ternbench import`).
bool looks_like_llama_perplexity(const std::string& text);

}  // namespace bench
