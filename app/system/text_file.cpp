#include "app/system/text_file.h"

#include <fstream>
#include <sstream>

namespace bench::sys {

std::optional<std::string> read_text_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace bench::sys
