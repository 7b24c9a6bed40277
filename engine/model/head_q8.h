#pragma once
// The output head as int8 rows with one float scale per row (absmax / 127), multiplied with
// the per-token int8 activations the ternary layers already use. The head is the largest
// matrix of a BitNet model (vocab x hidden); at about 1 byte per weight instead of F16's 2 it
// halves the bytes a decode step reads there. Used for ternary models only (LoadOptions::head),
// so float files keep their float reference head.
#include <cstdint>
#include <functional>
#include <vector>

#include "engine/kernels/ternary_matrix.h"

namespace tern {

class ThreadPool;
struct KernelSet;

struct Q8Matrix {
    int64_t rows = 0, cols = 0;  // cols % 128 == 0 (QuantizedActs rows)
    AlignedPtr<int8_t> q;        // rows * cols
    std::vector<float> scale;    // per row
};

// Quantizes rows produced by `row_to_float(r, out)` (cols floats each), in parallel.
Q8Matrix quantize_q8_rows(int64_t rows, int64_t cols, const std::function<void(int64_t, float*)>& row_to_float,
                          ThreadPool& pool);

// y[m*ldy + n] = sum_k q[n][k] * x.q[m][k] * scale[n] * dequant[m] for n in [n0, n1), with the
// kernel set's int8 product (every set gives the same bits; see KernelSet::int8_gemm).
void q8_gemm(const KernelSet& ks, const Q8Matrix& w, int64_t n0, int64_t n1, const QuantizedActs& x, float* y,
             int64_t ldy);

}  // namespace tern
