#pragma once
// A whole small text file (/proc and /etc entries) as one string.
#include <optional>
#include <string>

namespace bench::sys {

// The file's contents, or nothing when it cannot be opened.
std::optional<std::string> read_text_file(const std::string& path);

}  // namespace bench::sys
