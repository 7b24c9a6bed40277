#pragma once
// Prompt sets from a file: one prompt per line, or JSONL objects with "prompt" or "text".
#include <string>
#include <vector>

namespace bench {

// Throws std::runtime_error naming the file and line when unreadable or malformed, or empty.
std::vector<std::string> load_prompts_file(const std::string& path);

}  // namespace bench
