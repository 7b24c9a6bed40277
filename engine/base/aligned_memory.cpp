#include "engine/base/aligned_memory.h"

#include <algorithm>

#include <sys/mman.h>

namespace tern {

void* aligned_bytes(size_t bytes, Pages pages) {
    constexpr size_t kHuge = size_t(2) << 20;
    if (bytes > (size_t(-1) >> 1)) return nullptr;
    bytes = std::max<size_t>(64, (bytes + 63) / 64 * 64);
    if (pages == Pages::Small || bytes < kHuge) return std::aligned_alloc(64, bytes);
    // Decode streams every weight once per token: with 4 KiB pages that is a TLB miss per
    // page per stream (single-thread GEMV from DRAM measured ~15 % faster on huge pages).
    // Only whole huge pages are advised, so a block's tail never pins a mostly unused one.
    void* p = std::aligned_alloc(kHuge, (bytes + kHuge - 1) / kHuge * kHuge);
    if (p) madvise(p, bytes / kHuge * kHuge, MADV_HUGEPAGE);
    return p;
}

}  // namespace tern
