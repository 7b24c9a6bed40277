#pragma once
// Heap blocks for SIMD data: 64-byte aligned (AVX-512 loads, cache lines); weights on huge pages.
#include <cstddef>
#include <cstdlib>
#include <memory>

namespace tern {

enum class Pages { Small, Huge };

// At least `bytes` (rounded up to 64), or nullptr when the system has no such block. With
// Pages::Huge, blocks of 2 MiB and more start on a 2 MiB boundary and ask for transparent huge
// pages: for data read whole and often (weights). Not for memory filled bit by bit (KV cache):
// the kernel clears a whole 2 MiB page at its first touch.
void* aligned_bytes(size_t bytes, Pages pages = Pages::Small);

struct AlignedFree { void operator()(void* p) const { std::free(p); } };
template <class T>
using AlignedPtr = std::unique_ptr<T[], AlignedFree>;

// nullptr when out of memory or when count * sizeof(T) does not fit in size_t.
template <class T>
AlignedPtr<T> make_aligned(size_t count, Pages pages = Pages::Small) {
    if (count > (size_t(-1) >> 1) / sizeof(T)) return nullptr;
    return AlignedPtr<T>(static_cast<T*>(aligned_bytes(count * sizeof(T), pages)));
}

}  // namespace tern
