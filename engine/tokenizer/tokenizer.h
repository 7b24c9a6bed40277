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
    // Special tokens inside `text` are plain text (never parsed). BOS only when add_bos.
    virtual std::vector<int32_t> encode(std::string_view text, bool add_bos) const = 0;
    // Bytes of one token as it contributes to the output text (may be a partial UTF-8 char).
    virtual std::string token_piece(int32_t id) const = 0;
    std::string decode(const std::vector<int32_t>& ids) const;

    const Vocab& vocab() const { return vocab_; }
    int32_t n_vocab() const { return static_cast<int32_t>(vocab_.tokens.size()); }
    bool is_end_of_generation(int32_t id) const;  // EOS or EOT

    // Builds the right tokenizer for vocab.model; throws UnsupportedError for others.
    static std::unique_ptr<Tokenizer> create(Vocab vocab);

protected:
    explicit Tokenizer(Vocab v) : vocab_(std::move(v)) {}
    Vocab vocab_;
};

}  // namespace tern
