// Portable emulation of the AMX tile instructions the AMX GEMM uses, and the GEMM over them:
// compiled without any AMX flag, so amx_gemm.h's packing and tiling run and are tested on every
// machine. Semantics from Intel's instruction reference (palette 1: 8 tiles of up to 16 rows x
// 64 bytes; TDPBSSD adds signed-byte dot products of four into int32, wrapping).
#include <cstring>

#include "engine/kernels/amx.h"
#include "engine/kernels/amx_gemm.h"

namespace tern {

namespace {

struct EmulatedTiles {
    struct Tile {
        int rows = 0, colsb = 0;
        alignas(64) uint8_t data[amx::kTileRows][amx::kTileBytes] = {};
    };
    Tile t[8];
    bool configured = false;

    void configure() {  // every tile 16 rows x 64 bytes, zeroed (LDTILECFG clears the tiles)
        for (Tile& x : t) {
            x.rows = amx::kTileRows;
            x.colsb = amx::kTileBytes;
            std::memset(x.data, 0, sizeof x.data);
        }
        configured = true;
    }
    void release() { configured = false; }
    void pack(const TernaryMatrix& w, int64_t n, int rows, int8_t* panel, int8_t* trits) {
        amx::pack_panel(w, n, rows, panel, trits);
    }
    template <int T>
    void zero() { std::memset(t[T].data, 0, sizeof t[T].data); }
    template <int T>
    void load(const void* p, int64_t stride) {  // TILELOADD
        for (int r = 0; r < t[T].rows; ++r)
            std::memcpy(t[T].data[r], static_cast<const uint8_t*>(p) + r * stride, static_cast<size_t>(t[T].colsb));
    }
    template <int T>
    void store(void* p, int64_t stride) const {  // TILESTORED
        for (int r = 0; r < t[T].rows; ++r)
            std::memcpy(static_cast<uint8_t*>(p) + r * stride, t[T].data[r], static_cast<size_t>(t[T].colsb));
    }
    template <int C, int A, int B>
    void dp() {  // TDPBSSD
        int32_t c[amx::kTileRows][amx::kTileBytes / 4];
        std::memcpy(c, t[C].data, sizeof c);
        amx_tdpbssd_emulated(&c[0][0], reinterpret_cast<const int8_t*>(t[A].data),
                             reinterpret_cast<const int8_t*>(t[B].data), t[C].rows, t[C].colsb / 4, t[A].colsb);
        std::memcpy(t[C].data, c, sizeof c);
    }
};

}  // namespace

void amx_tdpbssd_emulated(int32_t* c, const int8_t* a, const int8_t* b, int m_rows, int n_cols, int a_colsb) {
    for (int m = 0; m < m_rows; ++m)
        for (int i = 0; i < a_colsb / 4; ++i)
            for (int n = 0; n < n_cols; ++n) {
                int32_t s = 0;
                for (int j = 0; j < 4; ++j) s += int32_t(a[m * amx::kTileBytes + 4 * i + j]) * int32_t(b[i * amx::kTileBytes + 4 * n + j]);
                // Wrapping int32 add, as the instruction does (no saturation).
                c[m * n_cols + n] = static_cast<int32_t>(static_cast<uint32_t>(c[m * n_cols + n]) + static_cast<uint32_t>(s));
            }
}

void amx_ternary_gemm_emulated(const TernaryMatrix& w, int64_t n0, int64_t n1, const QuantizedActs& x, float* y,
                               int64_t ldy) {
    EmulatedTiles tiles;
    amx::ternary_gemm(tiles, w, n0, n1, x, y, ldy);
}

}  // namespace tern
