#include "app/core/prompt_file.h"

#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace bench {

std::vector<std::string> load_prompts_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open prompts file " + path);
    std::vector<std::string> prompts;
    std::string line;
    int line_no = 0;
    while (std::getline(in, line)) {
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;  // blank lines
        if (line.front() == '{') {
            // A JSONL record; a line that only looks like JSON is an error, not a prompt.
            auto j = nlohmann::json::parse(line, nullptr, false);
            if (j.is_discarded() || !j.is_object())
                throw std::runtime_error(path + ":" + std::to_string(line_no) + ": invalid JSON");
            const char* key = j.contains("prompt") ? "prompt" : j.contains("text") ? "text" : nullptr;
            if (!key || !j[key].is_string() || j[key].get<std::string>().empty())
                throw std::runtime_error(path + ":" + std::to_string(line_no) +
                                         ": JSON line without a non-empty \"prompt\" or \"text\" string");
            prompts.push_back(j[key].get<std::string>());
        } else {
            prompts.push_back(line);
        }
    }
    if (prompts.empty()) throw std::runtime_error("prompts file " + path + " holds no prompts");
    return prompts;
}

}  // namespace bench
