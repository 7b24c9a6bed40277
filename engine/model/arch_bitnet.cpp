// `bitnet` (upstream llama.cpp; 1bitLLM bitnet_b1_58-large / -3B): SiLU gate and MHA, unless
// the newer `bitnet.hidden_activation` key says otherwise.
#include <array>
#include <string>

#include "engine/gguf/gguf_file.h"
#include "engine/model/arch.h"
#include "engine/base/error.h"

namespace tern {

namespace {
constexpr std::array<std::string_view, 1> kNames = {"bitnet"};

Activation bitnet_activation(const GgufFile& file, std::string_view arch_name) {
    const std::string key = std::string(arch_name) + ".hidden_activation";
    const auto act = file.get_string(key);
    if (!act || *act == "silu" || *act == "swish") return Activation::Silu;
    if (*act == "relu2" || *act == "relu_squared" || *act == "relu^2") return Activation::ReluSquared;
    throw UnsupportedError(key + " = \"" + *act + "\" is not supported (expected silu or relu2)");
}
}  // namespace

const ArchSpec& bitnet_arch() {
    static const ArchSpec spec{Arch::Bitnet, kNames, &bitnet_activation};
    return spec;
}

const ArchSpec* find_arch(std::string_view name) {
    for (const ArchSpec* spec : {&bitnet_arch(), &bitnet_b158_arch()})
        for (std::string_view n : spec->names)
            if (n == name) return spec;
    return nullptr;
}

}  // namespace tern
