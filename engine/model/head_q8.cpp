#include "engine/model/head_q8.h"

#include <algorithm>
#include <cmath>

#include "engine/kernels/kernel_set.h"
#include "engine/base/error.h"
#include "engine/base/thread_pool.h"

namespace tern {

Q8Matrix quantize_q8_rows(int64_t rows, int64_t cols, const std::function<void(int64_t, float*)>& row_to_float,
                          ThreadPool& pool) {
    if (cols % 128 != 0) throw Error("q8 head: " + std::to_string(cols) + " columns is not a multiple of 128");
    Q8Matrix m;
    m.rows = rows;
    m.cols = cols;
    m.q = make_aligned<int8_t>(static_cast<size_t>(rows * cols), Pages::Huge);
    if (!m.q) throw Error("q8 head: out of memory");
    m.scale.assign(static_cast<size_t>(rows), 0.0f);
    pool.parallel_for(rows, 64, [&](int64_t b, int64_t e) {
        std::vector<float> row(static_cast<size_t>(cols));
        for (int64_t r = b; r < e; ++r) {
            row_to_float(r, row.data());
            // Eight independent maxima so the compiler can keep them in one vector register.
            float lanes[8] = {};
            for (int64_t c = 0; c < cols; c += 8)
                for (int l = 0; l < 8; ++l) {
                    const float a = std::fabs(row[static_cast<size_t>(c + l)]);
                    lanes[l] = a > lanes[l] ? a : lanes[l];
                }
            float amax = 0.0f;
            for (float l : lanes) amax = std::max(amax, l);
            const float d = amax / 127.0f;
            const float inv = d > 0.0f ? 1.0f / d : 0.0f;
            int8_t* __restrict q = m.q.get() + r * cols;  // int8 stores would otherwise alias everything
            // Round half away from zero; |v| <= 127 by construction (a plain loop that vectorizes,
            // unlike nearbyint, which is a library call here).
            const float* __restrict src = row.data();
            for (int64_t c = 0; c < cols; ++c) {
                const float v = src[c] * inv;
                q[c] = static_cast<int8_t>(static_cast<int32_t>(v + std::copysign(0.5f, v)));
            }
            m.scale[static_cast<size_t>(r)] = d;
        }
    });
    return m;
}

void q8_gemm(const KernelSet& ks, const Q8Matrix& w, int64_t n0, int64_t n1, const QuantizedActs& x, float* y,
             int64_t ldy) {
    ks.int8_gemm(w.q.get(), w.scale.data(), n0, n1, x, y, ldy);
}

}  // namespace tern
