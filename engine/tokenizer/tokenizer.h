#pragma once
// Text <-> token ids for the two tokenizer families BitNet models use.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/tokenizer/vocab.h"

namespace tern {

class Tokenizer {
public:
    virtual ~Tokenizer() = default;
    // Special tokens inside `text` are plain text (never parsed). BOS only when add_bos
    // (throws Error when the vocabulary has no BOS). Thread-safe (const, no shared scratch).
    virtual std::vector<int32_t> encode(std::string_view text, bool add_bos) const = 0;
    // Bytes of one token as it contributes to the output text (may be a partial UTF-8 char).
    // Control / unknown / unused tokens contribute nothing. Throws Error for an id out of range.
    virtual std::string token_piece(int32_t id) const = 0;
    // Concatenated pieces. When `from_text_start` (ids begin a text, as encode returns them)
    // and the vocabulary adds a SentencePiece space prefix, the space that prefix put in front
    // of the first text-producing token is removed, so decode(encode(s)) == s. Pass false for
    // a continuation (e.g. generated tokens) to keep every space.
    std::string decode(const std::vector<int32_t>& ids, bool from_text_start = true) const;

    const Vocab& vocab() const { return vocab_; }
    int32_t n_vocab() const { return static_cast<int32_t>(vocab_.tokens.size()); }
    bool is_end_of_generation(int32_t id) const;  // EOS or EOT

    // Builds the right tokenizer for vocab.model after checking the vocabulary's consistency
    // (sizes, special ids in range): throws FormatError for an inconsistent vocabulary,
    // UnsupportedError for another model / pre-tokenizer.
    static std::unique_ptr<Tokenizer> create(Vocab vocab);

protected:
    explicit Tokenizer(Vocab v) : vocab_(std::move(v)) {}
    int32_t require_bos() const;     // the BOS id, or Error when there is none
    void check_id(int32_t id) const;  // Error when id is not in [0, n_vocab)
    // Whether encoding may produce this token from plain text: never control or unknown
    // tokens, even when merges spell their text (special tokens are not parsed).
    bool can_come_from_text(int32_t id) const {
        if (vocab_.types.empty()) return true;
        const TokenType t = vocab_.types[static_cast<size_t>(id)];
        return t != TokenType::Control && t != TokenType::Unknown;
    }
    Vocab vocab_;
};

}  // namespace tern
