#pragma once
// Tensor validation and the conversion of file tensors into ModelWeights.
#include <memory>
#include <string>

#include "engine/model/weights.h"

namespace tern {

class GgufFile;
class ThreadPool;
struct HParams;

// Checks that every required tensor is present with the right shape and a supported type
// (FormatError for missing / mis-shaped tensors, UnsupportedError for types), naming it.
void validate_tensors(const GgufFile& file, const HParams& hp);

// Builds the in-memory weights (repacking ternary tensors on `pool`). The returned weights
// may point into `file`'s mapping: keep the file alive as long as them. head_mode is
// LoadOptions::head.
std::unique_ptr<ModelWeights> load_weights(const GgufFile& file, const HParams& hp, ThreadPool& pool,
                                          const std::string& head_mode);

}  // namespace tern
