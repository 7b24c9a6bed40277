#pragma once
// The tokenizer's data as read from GGUF metadata (tokenizer.ggml.*), apart from the algorithms.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tern {

class GgufFile;

enum class TokenType : int32_t { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

struct Vocab {
    std::string model;             // "gpt2" (byte-level BPE) or "llama" (SentencePiece BPE)
    std::string pre;               // tokenizer.ggml.pre; empty when absent
    std::vector<std::string> tokens;
    std::vector<float> scores;     // may be empty
    std::vector<TokenType> types;  // may be empty (then all Normal)
    std::vector<std::string> merges;  // "a b" pairs, rank = index (gpt2 only)
    std::optional<int32_t> bos_id, eos_id, eot_id, unk_id, pad_id;
    bool add_bos = false;          // tokenizer.ggml.add_bos_token (default per model)
    // tokenizer.ggml.add_space_prefix: SentencePiece prepends U+2581 to the text (llama only).
    bool add_space_prefix = true;
};

// Reads tokenizer.ggml.* (and the arch, to pick Llama-3 rules when `pre` is absent for
// bitnet-b1.58 / bitnet-25). Throws FormatError / UnsupportedError with the key named.
Vocab read_vocab(const GgufFile& file);

}  // namespace tern
