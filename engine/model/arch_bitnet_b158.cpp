// `bitnet-b1.58` / `bitnet-25` (bitnet.cpp's fork; microsoft bitnet-b1.58-2B-4T): ReLU squared
// gate (relu(g)^2 * u) and grouped-query attention. SiLU here would be wrong (perplexity ~100
// instead of ~17 on the real model), so the activation is fixed.
#include <array>

#include "engine/model/arch.h"

namespace tern {

namespace {
constexpr std::array<std::string_view, 2> kNames = {"bitnet-b1.58", "bitnet-25"};

Activation relu_squared(const GgufFile&, std::string_view) { return Activation::ReluSquared; }
}  // namespace

const ArchSpec& bitnet_b158_arch() {
    static const ArchSpec spec{Arch::BitnetB158, kNames, &relu_squared};
    return spec;
}

}  // namespace tern
