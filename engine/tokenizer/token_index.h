#pragma once
// Token text -> id, built once per tokenizer. Lookups take string_view (no allocation).
// On duplicate texts the last id wins, as in llama.cpp, so ids agree with it.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tern {

struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

using TextIdMap = std::unordered_map<std::string, int32_t, TextHash, std::equal_to<>>;

class TokenIndex {
public:
    explicit TokenIndex(const std::vector<std::string>& tokens) {
        map_.reserve(tokens.size());
        for (size_t i = 0; i < tokens.size(); ++i) map_[tokens[i]] = static_cast<int32_t>(i);
    }
    std::optional<int32_t> find(std::string_view text) const {
        auto it = map_.find(text);
        if (it == map_.end()) return std::nullopt;
        return it->second;
    }

private:
    TextIdMap map_;
};

}  // namespace tern
