// The AVX-512 kernel set with maddubs pairs summed in int16 (AVX-512 CPUs without VNNI); see avx512_impl.h.
// TERN_ISA comes from engine/CMakeLists.txt: the extensions this file is compiled with.
#include "engine/kernels/avx512_impl.h"

namespace tern {

namespace {
constexpr KernelSet kSet = make_set<false>(TERN_ISA);
}

const KernelSet* avx512_kernels() { return &kSet; }

}  // namespace tern
