#pragma once
// AMX-INT8 ternary GEMM (engine/kernels/amx_gemm.h): the portable emulation of the tile
// instructions, exposed so the packing and tiling logic is tested on every machine, and the
// emulated instruction semantics themselves.
#include <cstdint>

#include "engine/kernels/kernel_set.h"
#include "engine/kernels/ternary_matrix.h"

namespace tern {

// The AMX GEMM over emulated tiles (TILELOADD, TDPBSSD, TILESTORED, TILEZERO in portable C++):
// same results as KernelSet::ternary_gemm of every set, bit for bit. Slow; for tests.
void amx_ternary_gemm_emulated(const TernaryMatrix& w, int64_t n0, int64_t n1, const QuantizedActs& x, float* y,
                               int64_t ldy);

// One emulated TDPBSSD on explicit tiles (rows x 64 bytes each, row-major):
//   c[m][n] += sum_{i < a_colsb/4} sum_{j<4} a[m][4i+j] * b[i][4n+j]   (int32, wrapping)
// c is m_rows x n_cols int32, a is m_rows x a_colsb bytes, b is (a_colsb/4) x (4 n_cols) bytes.
void amx_tdpbssd_emulated(int32_t* c, const int8_t* a, const int8_t* b, int m_rows, int n_cols, int a_colsb);

// The B-panel packing of the AMX GEMM (amx_gemm.h: pack_panel's layout, the same bytes) with
// AVX-512 F/BW (amx_pack.cpp). The hardware GEMM packs with it; call it only where those run.
// `panel` is 64-byte aligned, cols / 64 * 2048 bytes.
void amx_pack_panel_avx512(const TernaryMatrix& w, int64_t n, int rows, int8_t* panel);

// The hardware half of the "amx" set (amx.cpp, built with the AMX flags): constant data, so
// looking at it runs no tile instruction; nullptr when not compiled in.
struct AmxParts {
    const char* isa;  // the extensions amx.cpp is compiled with
    void (*tile_gemm)(const TernaryMatrix& w, int64_t n0, int64_t n1, const QuantizedActs& x, float* y, int64_t ldy);
    RoofProbe probe;  // "amx_int8": TDPBSSD chains
};
const AmxParts* amx_parts();

// Whether Linux granted this process the AMX tile data state (arch_prctl ARCH_REQ_XCOMP_PERM,
// asked once, before any tile instruction); false when the CPU has no AMX or the OS refuses.
bool amx_tiles_granted();
// One line for --version: "not on this CPU", "granted by the OS", or why it was refused.
const char* amx_status();

}  // namespace tern
