// AVX2 roof probes for the `kernel` workload: read bandwidth and the maddubs pair's peak.
#include "engine/kernels/avx2_common.h"
#include "engine/kernels/avx2_parts.h"

namespace tern::avx2 {

// Four far-apart sub-ranges read in lockstep: one sequential stream per core measured only
// ~11 GB/s on the Zen 3 host against ~15 for four, and the decode kernels read that way too
// (kGemvStreams), so this is the machine's roofline, not one stream's.
uint64_t sum_bytes(const uint8_t* p, size_t bytes) {
    const size_t part = (bytes / 4) & ~size_t(63);
    const uint8_t* s[4] = {p, p + part, p + 2 * part, p + 3 * part};
    __m256i a[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
    for (size_t i = 0; i < part; i += 64)
        for (int j = 0; j < 4; ++j)
            a[j] = _mm256_add_epi64(a[j], _mm256_add_epi64(load256(s[j] + i), load256(s[j] + i + 32)));
    alignas(32) uint64_t lanes[4];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), _mm256_add_epi64(_mm256_add_epi64(a[0], a[1]), _mm256_add_epi64(a[2], a[3])));
    uint64_t sum = lanes[0] + lanes[1] + lanes[2] + lanes[3];
    for (size_t i = 4 * part; i < bytes; ++i) sum += p[i];
    return sum;
}

// Six independent vpmaddubsw + vpaddw chains (this set's inner pair). One pass = 6 x 32
// multiply-adds.
__attribute__((noinline)) int64_t maddubs_ymm(int64_t iterations) {
    const int64_t done = iterations * 6 * 32;
    __asm__ volatile(
        "vpxor %%xmm0, %%xmm0, %%xmm0\n vpxor %%xmm1, %%xmm1, %%xmm1\n"
        "vpxor %%xmm10, %%xmm10, %%xmm10\n vpxor %%xmm11, %%xmm11, %%xmm11\n vpxor %%xmm12, %%xmm12, %%xmm12\n"
        "vpxor %%xmm13, %%xmm13, %%xmm13\n vpxor %%xmm14, %%xmm14, %%xmm14\n vpxor %%xmm15, %%xmm15, %%xmm15\n"
        "1:\n"
        "vpmaddubsw %%ymm0, %%ymm1, %%ymm2\n vpaddw %%ymm2, %%ymm10, %%ymm10\n"
        "vpmaddubsw %%ymm0, %%ymm1, %%ymm3\n vpaddw %%ymm3, %%ymm11, %%ymm11\n"
        "vpmaddubsw %%ymm0, %%ymm1, %%ymm4\n vpaddw %%ymm4, %%ymm12, %%ymm12\n"
        "vpmaddubsw %%ymm0, %%ymm1, %%ymm5\n vpaddw %%ymm5, %%ymm13, %%ymm13\n"
        "vpmaddubsw %%ymm0, %%ymm1, %%ymm6\n vpaddw %%ymm6, %%ymm14, %%ymm14\n"
        "vpmaddubsw %%ymm0, %%ymm1, %%ymm7\n vpaddw %%ymm7, %%ymm15, %%ymm15\n"
        "dec %0\n jnz 1b\n vzeroupper\n"
        : "+r"(iterations)
        :
        : "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm10", "xmm11", "xmm12",
          "xmm13", "xmm14", "xmm15");
    return done;
}

}  // namespace tern::avx2
