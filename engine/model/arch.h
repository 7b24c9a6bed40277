#pragma once
// What differs between the supported architectures. They share one block structure
// (docs/FORMATS.md section 4, forward.cpp); an arch file only says which names it answers to and
// how it picks its hyper-parameter defaults.
#include <span>
#include <string_view>

#include "engine/model/model.h"

namespace tern {

class GgufFile;

struct ArchSpec {
    Arch arch;
    std::span<const std::string_view> names;  // general.architecture strings
    // The FFN gate activation, from the arch and its metadata (throws UnsupportedError).
    Activation (*activation)(const GgufFile& file, std::string_view arch_name);
};

const ArchSpec& bitnet_arch();       // arch_bitnet.cpp
const ArchSpec& bitnet_b158_arch();  // arch_bitnet_b158.cpp

// nullptr when no supported architecture has this name.
const ArchSpec* find_arch(std::string_view name);

}  // namespace tern
