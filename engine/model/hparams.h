#pragma once
// Hyper-parameters from the `<arch>.*` metadata keys (docs/FORMATS.md section 4).
#include "engine/model/model.h"

namespace tern {

class GgufFile;

// Throws UnsupportedError for an unknown arch (naming it) and FormatError for missing or
// inconsistent required keys (naming the key).
HParams read_hparams(const GgufFile& file);

}  // namespace tern
