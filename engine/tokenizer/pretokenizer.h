#pragma once
// Splits text into the words byte-level BPE merges within (the "pre-tokenizer"), with the
// regexes llama.cpp / Hugging Face use, compiled once with PCRE2 (UTF + Unicode properties,
// JIT when available). The compiled patterns are immutable: one instance may be shared by
// many threads.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tern {

struct PretokenizerRules {
    std::string name;                   // canonical rule-set name ("llama3", "gpt2", ...)
    std::vector<std::string> patterns;  // applied in order, each splitting the previous pieces
    bool ignore_merges = false;         // a word that is already a token skips BPE (Llama-3)
};

// Rules for a tokenizer.ggml.pre value; empty means llama.cpp's "default" set.
// Throws UnsupportedError naming the value when no rule set is known for it.
PretokenizerRules pretokenizer_rules(std::string_view pre);

class Pretokenizer {
public:
    explicit Pretokenizer(PretokenizerRules rules);  // throws Error if a pattern fails to compile
    ~Pretokenizer();
    Pretokenizer(const Pretokenizer&) = delete;
    Pretokenizer& operator=(const Pretokenizer&) = delete;

    // Pieces of `text` in order; their concatenation is `text`. Text between matches becomes a
    // piece of its own. Bytes that are not valid UTF-8 become one-byte pieces (never dropped),
    // so byte-level BPE stays lossless on arbitrary input.
    std::vector<std::string_view> split(std::string_view text) const;
    const PretokenizerRules& rules() const { return rules_; }

private:
    struct Compiled;
    PretokenizerRules rules_;
    std::vector<std::unique_ptr<Compiled>> compiled_;
};

}  // namespace tern
