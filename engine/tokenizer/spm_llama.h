#pragma once
// SentencePiece-style BPE (tokenizer.ggml.model = "llama"), as llama.cpp applies it: a U+2581
// space prefix (unless add_space_prefix is false), every ' ' shown as U+2581, one symbol per
// UTF-8 character, then adjacent symbols whose concatenation is a token merge, highest score
// first (leftmost on ties). Symbols that are not tokens become byte-fallback tokens <0xNN>.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/tokenizer/token_index.h"
#include "engine/tokenizer/tokenizer.h"

namespace tern {

class SpmLlamaTokenizer final : public Tokenizer {
public:
    explicit SpmLlamaTokenizer(Vocab vocab);

    std::vector<int32_t> encode(std::string_view text, bool add_bos) const override;
    // Normal: U+2581 shown as ' '; byte tokens <0xNN>: that byte; user-defined: their text;
    // control / unknown / unused: nothing (as llama.cpp renders them).
    std::string token_piece(int32_t id) const override;

private:
    void encode_escaped(std::string_view text, std::vector<int32_t>& out) const;
    void append_bytes(std::string_view bytes, std::vector<int32_t>& out) const;

    TextIndex index_;  // last id wins on duplicate texts, as in llama.cpp
    std::array<int32_t, 256> byte_token_{};  // -1 when the vocabulary cannot express the byte
};

}  // namespace tern
