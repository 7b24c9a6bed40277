#pragma once
// Deterministic demo models: random ternary weights in the real BitNet shapes and a vocabulary
// of the preset's real size (256 byte tokens first, then filler pieces), so prompts tokenize,
// text comes out and the output head costs what it costs in the real model.
#include <cstdint>
#include <string>
#include <vector>

namespace tern {

struct DemoSpec {
    std::string preset = "small";      // tiny | small | 700m | 1b3 | 2b
    std::string type = "i2_s";         // i2_s | tq2_0 | tq1_0
    std::string arch = "bitnet-b1.58"; // bitnet | bitnet-b1.58
    uint64_t seed = 1;
};

std::vector<std::string> demo_presets();
// Writes the GGUF (atomically). Throws tern::Error for unknown preset/type/arch.
void write_demo_model(const DemoSpec& spec, const std::string& path);
// The cache path for a spec: $TERNBENCH_CACHE_DIR or $XDG_CACHE_HOME/ternbench or ~/.cache/ternbench.
std::string demo_model_cache_path(const DemoSpec& spec);
// Returns the cached file, generating it first when absent.
std::string ensure_demo_model(const DemoSpec& spec);

}  // namespace tern
