#pragma once
// Deterministic vocabularies for demo models: the real special/byte tokens of each tokenizer
// family, then pronounceable filler pieces (syllables and two-syllable words, with and
// without the space marker) so that ordinary text tokenizes into more than bytes.
#include <cstdint>
#include <string>
#include <vector>

namespace tern::demo {

struct DemoVocab {
    std::vector<std::string> tokens;
    std::vector<float> scores;        // `llama` only: decreasing with the id
    std::vector<int32_t> token_types; // 1 normal, 2 unknown, 3 control, 6 byte
    std::vector<std::string> merges;  // `gpt2` only: "left right", in rank order
    // Tokens a demo model should rarely emit (control tokens, byte tokens that are not
    // printable ASCII): their embedding rows are scaled down so generated text reads as words
    // and does not stop at a random EOS.
    std::vector<bool> quiet;
    int32_t bos_id = -1;
    int32_t eos_id = -1;
    int32_t unk_id = -1;
};

// SentencePiece-style (`llama`): <unk>, <s>, </s>, <0x00>..<0xFF>, then pieces.
DemoVocab make_spm_vocab(int64_t n_vocab);
// Byte-level BPE (`gpt2`): the 256 GPT-2 byte symbols, pieces with their merges, then
// <|begin_of_text|>, <|end_of_text|>, <|eot_id|> as the last three ids.
DemoVocab make_gpt2_vocab(int64_t n_vocab);

}  // namespace tern::demo
