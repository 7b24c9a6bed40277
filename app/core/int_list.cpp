#include "app/core/int_list.h"

#include <cerrno>
#include <climits>
#include <cstdlib>

namespace bench {

namespace {
std::string trimmed(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}
}  // namespace

std::optional<std::vector<int>> parse_int_list(const std::string& text) {
    std::vector<int> out;
    if (trimmed(text).empty()) return out;
    size_t pos = 0;
    while (true) {
        const size_t comma = text.find(',', pos);
        const std::string item = trimmed(text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
        if (item.empty()) return std::nullopt;
        char* end = nullptr;
        errno = 0;
        const long long v = std::strtoll(item.c_str(), &end, 10);
        if (errno != 0 || *end != '\0' || v < INT_MIN || v > INT_MAX) return std::nullopt;
        out.push_back(static_cast<int>(v));
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return out;
}

std::string format_int_list(const std::vector<int>& values) {
    std::string out;
    for (int v : values) {
        if (!out.empty()) out += ',';
        out += std::to_string(v);
    }
    return out;
}

}  // namespace bench
