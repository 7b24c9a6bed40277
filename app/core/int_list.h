#pragma once
// Comma-separated integer lists ("1,2,4,8"), as the --sweep-* flags and the Run page take
// them, parsed in one place.
#include <optional>
#include <string>
#include <vector>

namespace bench {

// Items may have spaces around them; empty text is an empty list. nullopt when an item is not
// an integer an int can hold.
std::optional<std::vector<int>> parse_int_list(const std::string& text);
std::string format_int_list(const std::vector<int>& values);   // "1,2,4,8"

}  // namespace bench
