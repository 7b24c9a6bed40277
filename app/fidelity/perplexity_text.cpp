#include "app/fidelity/perplexity_text.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/core/input_error.h"
#include "engine/tokenizer/tokenizer.h"
#include "perplexity_default_text.h"

namespace bench {

std::string load_perplexity_text(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw InputError("text file not found: " + path);
    if (std::filesystem::is_directory(path, ec)) throw InputError("text file " + path + " is a directory");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError("text file " + path + " cannot be opened for reading");
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw InputError("text file " + path + ": read error");
    std::string text = ss.str();
    if (text.find_first_not_of(" \t\r\n\f\v") == std::string::npos)
        throw InputError("text file " + path + " is empty: perplexity needs a text to evaluate");
    for (size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v')
        {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02x", unsigned(c));
            throw InputError("text file " + path + " is binary (control byte " + hex + " at byte " +
                             std::to_string(i) + "), not a text");
        }
    }
    return text;
}

const std::string& default_perplexity_text() {
    static const std::string text = kPerplexityDefaultText;
    return text;
}

PerplexityPlan plan_perplexity(const tern::Tokenizer& tok, const std::string& text, const std::string& text_name,
                               int32_t n_ctx, int32_t chunks) {
    PerplexityPlan p;
    p.n_ctx = n_ctx;
    p.add_bos = tok.vocab().add_bos && tok.vocab().bos_id.has_value();
    if (p.add_bos) p.bos = *tok.vocab().bos_id;
    p.tokens = tok.encode(text, p.add_bos);
    const int64_t n = int64_t(p.tokens.size());
    if (n < 2 * int64_t(n_ctx))
        throw InputError(text_name + " tokenizes to only " + std::to_string(n) + " tokens; perplexity with a context of " +
                         std::to_string(n_ctx) + " needs at least 2 x " + std::to_string(n_ctx) + " = " +
                         std::to_string(2 * int64_t(n_ctx)) + " tokens (use a longer text or a smaller --ctx)");
    const int64_t max_chunks = n / n_ctx;
    p.n_chunk = static_cast<int32_t>(chunks > 0 ? std::min<int64_t>(chunks, max_chunks) : max_chunks);
    return p;
}

}  // namespace bench
