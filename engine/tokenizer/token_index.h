#pragma once
// Text -> position in a vector of texts (token ids, merge ranks), built once per tokenizer.
// An open-addressing table of (hash tag, id) over the caller's strings: one flat allocation,
// so building it for a 128k vocabulary and 280k merges costs milliseconds, and lookups take
// string_view (no allocation). The indexed vector must outlive the index and not change.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tern {

class TextIndex {
public:
    // Which id a text maps to when it occurs more than once: llama.cpp's token map keeps the
    // last id, its merge-rank map the first (lowest) rank.
    enum class Duplicates { KeepFirst, KeepLast };

    TextIndex(const std::vector<std::string>& texts, Duplicates duplicates);
    TextIndex(const TextIndex&) = delete;
    TextIndex& operator=(const TextIndex&) = delete;

    std::optional<int32_t> find(std::string_view text) const;

private:
    static uint64_t hash(std::string_view text);

    const std::vector<std::string>& texts_;
    std::vector<uint64_t> slots_;  // 0 = empty, else (hash high 32 bits) << 32 | (id + 1)
    uint64_t mask_ = 0;
};

}  // namespace tern
