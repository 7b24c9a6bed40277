#pragma once
// GPT-2 style byte-level BPE (tokenizer.ggml.model = "gpt2"), as llama.cpp applies it:
// pre-tokenize with the regexes named by tokenizer.ggml.pre, show each word's bytes in the
// GPT-2 alphabet, merge adjacent symbols lowest merge rank first (leftmost on ties), map the
// symbols to ids. A symbol that is not a token falls back to its single-byte tokens.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/tokenizer/pretokenizer.h"
#include "engine/tokenizer/token_index.h"
#include "engine/tokenizer/tokenizer.h"

namespace tern {

class BpeGpt2Tokenizer final : public Tokenizer {
public:
    // Throws FormatError for malformed merges, UnsupportedError for an unknown `pre`.
    explicit BpeGpt2Tokenizer(Vocab vocab);
    ~BpeGpt2Tokenizer() override;

    std::vector<int32_t> encode(std::string_view text, bool add_bos) const override;
    // Normal tokens: GPT-2 alphabet decoded to raw bytes; user-defined: their text;
    // control / unknown / unused / byte-typed: nothing (as llama.cpp renders them).
    std::string token_piece(int32_t id) const override;

    const PretokenizerRules& pre_rules() const { return pretokenizer_->rules(); }

private:
    void encode_word(std::string_view word, std::vector<int32_t>& out) const;

    std::unique_ptr<Pretokenizer> pretokenizer_;
    TextIndex token_of_text_;   // GPT-2 alphabet text -> token id
    TextIndex rank_of_merge_;   // "left right" -> merge rank (its index)
    std::array<int32_t, 256> byte_token_{};  // token of each byte's character, -1 if none
};

}  // namespace tern
