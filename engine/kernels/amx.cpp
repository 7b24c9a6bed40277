// The hardware half of the "amx" kernel set (composed in dispatch.cpp: the AVX-512 VNNI set with
// the ternary GEMM for M >= 16 on AMX-INT8 tiles, amx_gemm.h) and the AMX roof probe. This file
// alone is compiled with -mamx-tile -mamx-int8; dispatch uses it only when the CPU has AMX, XCR0
// enables the tile state and Linux granted it to this process (amx_tiles_granted()).
// Not yet run on hardware: written and built on an AMD Zen 4 machine without AMX, where only
// the emulated tiles (amx_emulated.cpp) are tested.
#include <immintrin.h>

#include "engine/kernels/amx.h"
#include "engine/kernels/amx_gemm.h"
#include "engine/kernels/kernel_set.h"

namespace tern {

namespace {

// LDTILECFG's 64-byte operand: palette 1, every tile 16 rows x 64 bytes.
struct alignas(64) TileConfig {
    uint8_t palette = 1;
    uint8_t start_row = 0;
    uint8_t reserved[14] = {};
    uint16_t colsb[16] = {};
    uint8_t rows[16] = {};
};

void load_config() {
    TileConfig cfg;
    for (int i = 0; i < 8; ++i) {
        cfg.colsb[i] = amx::kTileBytes;
        cfg.rows[i] = amx::kTileRows;
    }
    _tile_loadconfig(&cfg);
}

// GCC's tile intrinsics paste the tile number into the instruction text, so it must be a
// literal: each template picks its literal at compile time.
#define TERN_TILE_SWITCH(T, OP)          \
    if constexpr (T == 0) OP(0);         \
    else if constexpr (T == 1) OP(1);    \
    else if constexpr (T == 2) OP(2);    \
    else if constexpr (T == 3) OP(3);    \
    else if constexpr (T == 4) OP(4);    \
    else if constexpr (T == 5) OP(5);    \
    else if constexpr (T == 6) OP(6);    \
    else OP(7)

struct HardwareTiles {
    void configure() { load_config(); }
    void pack(const TernaryMatrix& w, int64_t n, int rows, int8_t* panel, int8_t*) {
        amx_pack_panel_avx512(w, n, rows, panel);
    }
    void release() { _tile_release(); }
    template <int T>
    void zero() {
#define TERN_ZERO(n) _tile_zero(n)
        TERN_TILE_SWITCH(T, TERN_ZERO);
#undef TERN_ZERO
    }
    template <int T>
    void load(const void* p, int64_t stride) {
#define TERN_LOAD(n) _tile_loadd(n, p, stride)
        TERN_TILE_SWITCH(T, TERN_LOAD);
#undef TERN_LOAD
    }
    template <int T>
    void store(void* p, int64_t stride) const {
#define TERN_STORE(n) _tile_stored(n, p, stride)
        TERN_TILE_SWITCH(T, TERN_STORE);
#undef TERN_STORE
    }
    // The four products amx_gemm.h issues.
    template <int C, int A, int B>
    void dp() {
        if constexpr (C == 0 && A == 4 && B == 6) _tile_dpbssd(0, 4, 6);
        else if constexpr (C == 1 && A == 4 && B == 7) _tile_dpbssd(1, 4, 7);
        else if constexpr (C == 2 && A == 5 && B == 6) _tile_dpbssd(2, 5, 6);
        else {
            static_assert(C == 3 && A == 5 && B == 7, "tile product not used by amx_gemm.h");
            _tile_dpbssd(3, 5, 7);
        }
    }
};
#undef TERN_TILE_SWITCH

void tile_gemm(const TernaryMatrix& w, int64_t n0, int64_t n1, const QuantizedActs& x, float* y, int64_t ldy) {
    HardwareTiles tiles;
    amx::ternary_gemm(tiles, w, n0, n1, x, y, ldy);
}

// Four independent TDPBSSD chains (C tiles 0-3, A tiles 4-5, B tiles 6-7): 16 x 16 x 64
// multiply-adds each.
int64_t tdpbssd_probe(int64_t iterations) {
    load_config();
    _tile_zero(0); _tile_zero(1); _tile_zero(2); _tile_zero(3);
    _tile_zero(4); _tile_zero(5); _tile_zero(6); _tile_zero(7);
    for (int64_t i = 0; i < iterations; ++i) {
        _tile_dpbssd(0, 4, 6);
        _tile_dpbssd(1, 4, 7);
        _tile_dpbssd(2, 5, 6);
        _tile_dpbssd(3, 5, 7);
    }
    _tile_release();
    return iterations * 4 * 16 * 16 * 64;
}
constexpr AmxParts kParts = {TERN_ISA, tile_gemm, {"amx_int8", tdpbssd_probe}};  // TERN_ISA: this file's flags

}  // namespace

const AmxParts* amx_parts() { return &kParts; }

}  // namespace tern
