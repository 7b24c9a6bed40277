#include "engine/kernels/kernel_set.h"

namespace tern {
const KernelSet* avx512_kernels() { return nullptr; }  // implementation in progress
}  // namespace tern
