#include "engine/tokenizer/token_index.h"

#include <functional>

namespace tern {

uint64_t TextIndex::hash(std::string_view text) { return std::hash<std::string_view>{}(text); }

TextIndex::TextIndex(const std::vector<std::string>& texts, Duplicates duplicates) : texts_(texts) {
    size_t capacity = 16;
    while (capacity < texts.size() * 2) capacity *= 2;  // load factor <= 0.5: short probes
    slots_.assign(capacity, 0);
    mask_ = capacity - 1;
    for (size_t id = 0; id < texts.size(); ++id) {
        const uint64_t h = hash(texts[id]);
        const uint64_t tag = h >> 32;
        for (uint64_t i = h & mask_;; i = (i + 1) & mask_) {
            uint64_t& slot = slots_[i];
            if (slot == 0) {
                slot = (tag << 32) | (id + 1);
                break;
            }
            const size_t other = (slot & 0xFFFFFFFFu) - 1;
            if ((slot >> 32) == tag && texts[other] == texts[id]) {
                if (duplicates == Duplicates::KeepLast) slot = (tag << 32) | (id + 1);
                break;
            }
        }
    }
}

std::optional<int32_t> TextIndex::find(std::string_view text) const {
    const uint64_t h = hash(text);
    const uint64_t tag = h >> 32;
    for (uint64_t i = h & mask_;; i = (i + 1) & mask_) {
        const uint64_t slot = slots_[i];
        if (slot == 0) return std::nullopt;
        const size_t id = (slot & 0xFFFFFFFFu) - 1;
        if ((slot >> 32) == tag && texts_[id] == text) return static_cast<int32_t>(id);
    }
}

}  // namespace tern
