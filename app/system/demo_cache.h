#pragma once
// The cached demo model, verified: the generator is deterministic, so the file's sha256 is
// recorded beside it ("<file>.sha256") when it is made, and a cached file whose sha256 differs
// (a flipped byte, a half-copied file) or that has no record is made again instead of being
// measured silently.
#include <string>

#include "engine/demo/demo_model.h"

namespace bench::sys {

// The cache path of `spec`, generated or regenerated as needed; throws tern::Error /
// std::runtime_error when it cannot be made.
std::string ensure_verified_demo_model(const tern::DemoSpec& spec);

}  // namespace bench::sys
