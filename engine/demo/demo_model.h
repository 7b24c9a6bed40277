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
    std::string type = "i2_s";         // i2_s | tq2_0 | tq1_0 | f16 (trit x scale as floats)
    std::string arch = "bitnet-b1.58"; // bitnet | bitnet-b1.58
    uint64_t seed = 1;
};

// Presets (hidden/layers/heads/ffn/vocab): tiny 256/2/4/512/512 (b158: 1 KV head, ffn 768),
// small 768/12/12/2048/32000, 700m 1536/24/16/4096/32002 (bitnet_b1_58-large),
// 1b3 2048/24/32/5632/32000, 2b 2560/30/20 (5 KV heads, head_dim 128)/6912/128256.
// Arch bitnet-b1.58 uses one KV head per 4 query heads (tiny: 1, 2b: 5), rope base 500000,
// ctx 4096; arch bitnet is MHA (2b: 5 KV heads), rope base 10000, ctx 2048.
// The vocabulary does not depend on the seed; the same seed gives the same trits and scales
// in every weight type. Cache file names carry a generator version.
std::vector<std::string> demo_presets();
std::vector<std::string> demo_types();   // ternary weight types: i2_s, tq2_0, tq1_0
std::vector<std::string> demo_archs();   // bitnet-b1.58, bitnet
// Writes the GGUF (atomically). Throws tern::Error for unknown preset/type/arch.
void write_demo_model(const DemoSpec& spec, const std::string& path);
// The cache path for a spec: $TERNBENCH_CACHE_DIR or $XDG_CACHE_HOME/ternbench or ~/.cache/ternbench.
std::string demo_model_cache_path(const DemoSpec& spec);
// Returns the cached file, generating it first when absent.
std::string ensure_demo_model(const DemoSpec& spec);

}  // namespace tern
