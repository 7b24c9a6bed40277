#include "engine/tokenizer/token_index.h"

#include <algorithm>
#include <functional>

namespace tern {

uint64_t TextIndex::hash(std::string_view text) { return std::hash<std::string_view>{}(text); }

TextIndex::TextIndex(const std::vector<std::string>& texts, Duplicates duplicates) : texts_(texts) {
    size_t capacity = 16;
    while (capacity < texts.size() + texts.size() / 2) capacity *= 2;  // load factor <= 2/3
    slots_.assign(capacity, 0);
    mask_ = capacity - 1;
    // Building is bound by cache misses on random slots: hash a few texts ahead and prefetch
    // their slots so the misses overlap.
    constexpr size_t kAhead = 16;
    std::vector<uint64_t> hashes(kAhead);
    const auto prepare = [&](size_t id) {
        const uint64_t h = hash(texts[id]);
        hashes[id % kAhead] = h;
        __builtin_prefetch(&slots_[h & mask_], 1);
    };
    for (size_t id = 0; id < std::min(kAhead, texts.size()); ++id) prepare(id);
    for (size_t id = 0; id < texts.size(); ++id) {
        const uint64_t h = hashes[id % kAhead];
        if (id + kAhead < texts.size()) prepare(id + kAhead);
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
