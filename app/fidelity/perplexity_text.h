#pragma once
// The evaluation text of the perplexity workload and llama-perplexity's chunking of it
// (FORMATS.md section 8): tokenized once with BOS when the vocabulary adds one, cut into
// n_chunk = min(chunks, n_tokens / n_ctx) chunks of n_ctx tokens, at least 2 x n_ctx tokens.
#include <cstdint>
#include <string>
#include <vector>

namespace tern { class Tokenizer; }

namespace bench {

// The whole file as text. Throws InputError when it is missing, empty (or only whitespace),
// or binary (NUL or other control bytes: not a text).
std::string load_perplexity_text(const std::string& path);

// The text shipped with ternbench (resources/perplexity-default.txt, written for the project)
// used when no --text is given.
const std::string& default_perplexity_text();

struct PerplexityPlan {
    std::vector<int32_t> tokens;   // as tokenized (BOS included when the vocabulary adds it)
    int32_t n_ctx = 0;
    int32_t n_chunk = 0;
    bool add_bos = false;
    int32_t bos = -1;              // substituted at each chunk start when add_bos
    int64_t first() const { return n_ctx / 2; }
    int64_t scored_per_chunk() const { return n_ctx - 1 - n_ctx / 2; }
    int64_t scored_tokens() const { return int64_t(n_chunk) * scored_per_chunk(); }
};

// chunks <= 0: as many as the text holds. text_name names the text in errors. Throws
// InputError when the text has fewer than 2 x n_ctx tokens (naming both numbers).
PerplexityPlan plan_perplexity(const tern::Tokenizer& tok, const std::string& text, const std::string& text_name,
                               int32_t n_ctx, int32_t chunks);

}  // namespace bench
