#include "engine/kernels/ternary_matrix.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>

#include "engine/base/error.h"

namespace tern {

namespace {
constexpr int64_t kBlock = 128;       // weights per block
constexpr int64_t kBlockBytes = 32;   // bytes per block
}  // namespace

TernaryMatrix make_ternary_matrix(int64_t rows, int64_t cols, int64_t group_size) {
    if (rows < 0) throw Error("ternary matrix: negative row count " + std::to_string(rows));
    if (cols <= 0 || cols % kBlock != 0)
        throw Error("ternary matrix: cols " + std::to_string(cols) +
                    " is not a positive multiple of 128");
    if (group_size <= 0) group_size = cols;
    if (group_size % kBlock != 0 || cols % group_size != 0)
        throw Error("ternary matrix: group size " + std::to_string(group_size) +
                    " must be a multiple of 128 dividing cols " + std::to_string(cols));
    TernaryMatrix m;
    m.rows = rows;
    m.cols = cols;
    m.group_size = group_size;
    const size_t bytes = static_cast<size_t>(rows) * static_cast<size_t>(cols / 4);
    m.codes = make_aligned<uint8_t>(bytes, Pages::Huge);
    if (!m.codes) throw Error("ternary matrix: out of memory for " + std::to_string(bytes) + " bytes");
    std::memset(m.codes.get(), 0, bytes);
    m.scales.assign(static_cast<size_t>(rows * (cols / group_size)), 0.0f);
    return m;
}

void pack_trits_row(const int8_t* trits, int64_t cols, uint8_t* out) {
    if (cols % kBlock != 0) throw Error("pack_trits_row: cols " + std::to_string(cols) + " is not a multiple of 128");
    for (int64_t b = 0; b < cols / kBlock; ++b) {
        const int8_t* t = trits + b * kBlock;
        uint8_t* o = out + b * kBlockBytes;
        for (int j = 0; j < kBlockBytes; ++j) {
            uint8_t byte = 0;
            for (int lane = 0; lane < 4; ++lane) {
                const int v = t[j + 32 * lane];
                if (v < -1 || v > 1)
                    throw Error("pack_trits_row: value " + std::to_string(v) + " at column " +
                                std::to_string(b * kBlock + j + 32 * lane) + " is not a trit");
                byte |= static_cast<uint8_t>((v + 1) << (2 * lane));
            }
            o[j] = byte;
        }
    }
}

void unpack_row(const uint8_t* codes, int64_t cols, int8_t* trits) {
    for (int64_t b = 0; b < cols / kBlock; ++b) {
        const uint8_t* c = codes + b * kBlockBytes;
        int8_t* t = trits + b * kBlock;
        for (int j = 0; j < kBlockBytes; ++j)
            for (int lane = 0; lane < 4; ++lane)
                t[j + 32 * lane] = static_cast<int8_t>(((c[j] >> (2 * lane)) & 3) - 1);
    }
}

void QuantizedActs::resize(int64_t m, int64_t k) {
    if (m < 0 || k < 0 || k % kBlock != 0)
        throw Error("quantized activations: shape " + std::to_string(m) + "x" + std::to_string(k) +
                    " invalid (K must be a multiple of 128)");
    if (m * k > capacity || !q) {
        capacity = std::max<int64_t>(m * k, 1);
        q = make_aligned<int8_t>(static_cast<size_t>(capacity));
        if (!q) throw Error("quantized activations: out of memory for " + std::to_string(capacity) + " bytes");
    }
    static std::atomic<uint64_t> next_version{1};
    version = next_version.fetch_add(1, std::memory_order_relaxed);
    rows = m;
    cols = k;
    dequant.assign(static_cast<size_t>(m), 0.0f);
    block_sums.assign(static_cast<size_t>(m * (k / kBlock)), 0);
}

}  // namespace tern
