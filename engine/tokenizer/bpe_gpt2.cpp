#include "engine/tokenizer/bpe_gpt2.h"

#include <optional>

#include "engine/base/error.h"
#include "engine/tokenizer/byte_alphabet.h"
#include "engine/tokenizer/symbol_merge.h"
#include "engine/tokenizer/utf8.h"

namespace tern {

BpeGpt2Tokenizer::BpeGpt2Tokenizer(Vocab vocab)
    : Tokenizer(std::move(vocab)),
      pretokenizer_(std::make_unique<Pretokenizer>(pretokenizer_rules(vocab_.pre))),
      token_of_text_(vocab_.tokens, TextIndex::Duplicates::KeepLast),
      rank_of_merge_(vocab_.merges, TextIndex::Duplicates::KeepFirst) {
    for (size_t rank = 0; rank < vocab_.merges.size(); ++rank) {
        const std::string& m = vocab_.merges[rank];
        // The alphabet has no raw space, so a merge is "left right" with exactly that space
        // (llama.cpp looks for it from index 1 too).
        const size_t sep = m.size() > 1 ? m.find(' ', 1) : std::string::npos;
        if (sep == std::string::npos || sep + 1 >= m.size())
            throw FormatError("tokenizer.ggml.merges[" + std::to_string(rank) + "] = '" + m +
                              "' is not two symbols separated by a space");
    }
    for (int b = 0; b < 256; ++b)
        byte_token_[static_cast<size_t>(b)] =
            token_of_text_.find(byte_alphabet::char_for_byte(static_cast<uint8_t>(b))).value_or(-1);
}

BpeGpt2Tokenizer::~BpeGpt2Tokenizer() = default;

std::vector<int32_t> BpeGpt2Tokenizer::encode(std::string_view text, bool add_bos) const {
    std::vector<int32_t> out;
    out.reserve(text.size() / 3 + 2);
    if (add_bos) out.push_back(require_bos());
    for (std::string_view word : pretokenizer_->split(text)) encode_word(word, out);
    return out;
}

void BpeGpt2Tokenizer::encode_word(std::string_view word, std::vector<int32_t>& out) const {
    const std::string mapped = byte_alphabet::encode(word);
    if (pretokenizer_->rules().ignore_merges) {
        // Llama-3 (ignore_merges): a word that is a token as a whole is taken as is.
        if (auto id = token_of_text_.find(mapped); id && can_come_from_text(*id)) {
            out.push_back(*id);
            return;
        }
    }

    // One symbol per byte (one alphabet character); a symbol is always a contiguous range of
    // `mapped`, so merging is text concatenation, as in llama.cpp. Lowest merge rank first.
    std::vector<merge::Symbol> syms = merge::split_units(mapped, [](const std::string& t, size_t pos) {
        return utf8::sequence_length(static_cast<uint8_t>(t[pos]));
    });
    std::string key;
    merge::merge_pairs<int32_t>(
        syms,
        [&](const merge::Symbol& l, const merge::Symbol& r) -> std::optional<int32_t> {
            key.assign(mapped, l.start, l.len).append(1, ' ').append(mapped, r.start, r.len);
            return rank_of_merge_.find(key);
        },
        [](int32_t a, int32_t b) { return a < b; });

    for (int32_t i = syms.empty() ? -1 : 0; i >= 0; i = syms[static_cast<size_t>(i)].next) {
        const auto& s = syms[static_cast<size_t>(i)];
        if (auto id = token_of_text_.find(std::string_view(mapped).substr(s.start, s.len));
            id && can_come_from_text(*id)) {
            out.push_back(*id);
            continue;
        }
        // Not a token (merges can produce texts the vocabulary lacks): its bytes one by one.
        for (uint32_t k = s.start; k < s.start + s.len;) {
            const size_t len = utf8::sequence_length(static_cast<uint8_t>(mapped[k]));
            const auto b = byte_alphabet::decode(std::string_view(mapped).substr(k, len));
            const int32_t id = byte_token_[static_cast<uint8_t>(b[0])];
            if (id >= 0)
                out.push_back(id);
            else if (vocab_.unk_id)
                out.push_back(*vocab_.unk_id);
            // else: the vocabulary cannot express this byte at all; it is dropped.
            k += static_cast<uint32_t>(len);
        }
    }
}

std::string BpeGpt2Tokenizer::token_piece(int32_t id) const {
    check_id(id);
    const auto i = static_cast<size_t>(id);
    switch (vocab_.types.empty() ? TokenType::Normal : vocab_.types[i]) {
        case TokenType::Normal: return byte_alphabet::decode(vocab_.tokens[i]);
        case TokenType::UserDefined: return vocab_.tokens[i];
        default: return {};  // control, unknown, unused, byte: rendered as nothing
    }
}

}  // namespace tern
