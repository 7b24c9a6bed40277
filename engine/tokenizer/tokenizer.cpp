#include "engine/tokenizer/tokenizer.h"

#include "engine/base/error.h"
#include "engine/tokenizer/bpe_gpt2.h"
#include "engine/tokenizer/spm_llama.h"

namespace tern {
namespace {

void check_special(const Vocab& v, const std::optional<int32_t>& id, const char* key) {
    if (id && (*id < 0 || static_cast<size_t>(*id) >= v.tokens.size()))
        throw FormatError(std::string("tokenizer.ggml.") + key + " = " + std::to_string(*id) +
                          " is outside the vocabulary (" + std::to_string(v.tokens.size()) +
                          " tokens)");
}

void check_vocab(const Vocab& v) {
    if (v.tokens.empty()) throw FormatError("tokenizer.ggml.tokens is empty");
    if (v.tokens.size() > static_cast<size_t>(INT32_MAX))
        throw FormatError("tokenizer.ggml.tokens has too many tokens");
    if (!v.scores.empty() && v.scores.size() != v.tokens.size())
        throw FormatError("tokenizer.ggml.scores has " + std::to_string(v.scores.size()) +
                          " entries but tokenizer.ggml.tokens has " + std::to_string(v.tokens.size()));
    if (!v.types.empty() && v.types.size() != v.tokens.size())
        throw FormatError("tokenizer.ggml.token_type has " + std::to_string(v.types.size()) +
                          " entries but tokenizer.ggml.tokens has " + std::to_string(v.tokens.size()));
    for (size_t i = 0; i < v.types.size(); ++i) {
        const auto t = static_cast<int32_t>(v.types[i]);
        if (t < 1 || t > 6)
            throw FormatError("tokenizer.ggml.token_type[" + std::to_string(i) + "] = " +
                              std::to_string(t) + " is not a token type (1..6)");
    }
    check_special(v, v.bos_id, "bos_token_id");
    check_special(v, v.eos_id, "eos_token_id");
    check_special(v, v.eot_id, "eot_token_id");
    check_special(v, v.unk_id, "unknown_token_id");
    check_special(v, v.pad_id, "padding_token_id");
}

}  // namespace

std::unique_ptr<Tokenizer> Tokenizer::create(Vocab vocab) {
    check_vocab(vocab);
    if (vocab.model == "gpt2") return std::make_unique<BpeGpt2Tokenizer>(std::move(vocab));
    if (vocab.model == "llama") return std::make_unique<SpmLlamaTokenizer>(std::move(vocab));
    throw UnsupportedError("tokenizer.ggml.model = '" + vocab.model +
                           "' is not supported (supported: gpt2, llama)");
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids, bool from_text_start) const {
    std::string out;
    bool strip_prefix = from_text_start && vocab_.model == "llama" && vocab_.add_space_prefix;
    for (int32_t id : ids) {
        std::string piece = token_piece(id);
        if (strip_prefix && !piece.empty()) {
            // encode put one space in front of the text: remove it from the first real piece.
            if (piece.front() == ' ') piece.erase(0, 1);
            strip_prefix = false;
        }
        out += piece;
    }
    return out;
}

bool Tokenizer::is_end_of_generation(int32_t id) const {
    return (vocab_.eos_id && id == *vocab_.eos_id) || (vocab_.eot_id && id == *vocab_.eot_id);
}

int32_t Tokenizer::require_bos() const {
    if (!vocab_.bos_id) throw Error("cannot add BOS: the vocabulary has no tokenizer.ggml.bos_token_id");
    return *vocab_.bos_id;
}

void Tokenizer::check_id(int32_t id) const {
    if (id < 0 || id >= n_vocab())
        throw Error("token id " + std::to_string(id) + " is outside the vocabulary (" +
                    std::to_string(n_vocab()) + " tokens)");
}

}  // namespace tern
