#pragma once
// One streaming read pass over memory regions, the read roof's measuring step shared by the
// `kernel` workload's bandwidth probe (one large buffer) and decode's weight-read probe (every
// weight matrix): each of the pool's threads reads its share of every region, cut on 64-byte
// lines, with the widest usable kernel set's read probe (four streams per thread, no
// arithmetic), and no thread meeting between regions.
#include <cstdint>
#include <span>

namespace tern {

class ThreadPool;

struct ByteSpan {
    const uint8_t* data;
    uint64_t bytes;
};

// Seconds one pass took. The sums are kept, so no read is optimized away.
double timed_read_pass(ThreadPool& pool, std::span<const ByteSpan> regions);

}  // namespace tern
