#include "engine/model/weights.h"

namespace tern {

uint64_t LinearWeight::bytes_in_memory() const {
    switch (kind) {
        case Kind::Ternary:
            return static_cast<uint64_t>(ternary.rows * ternary.row_bytes()) + ternary.scales.size() * sizeof(float);
        case Kind::F32: return static_cast<uint64_t>(rows * cols) * sizeof(float);
        case Kind::F16: return static_cast<uint64_t>(rows * cols) * sizeof(uint16_t);
        case Kind::Q8: return static_cast<uint64_t>(rows * cols) + q8.scale.size() * sizeof(float);
        case Kind::None: return 0;
    }
    return 0;
}

uint64_t ModelWeights::bytes_in_memory() const {
    uint64_t total = output.bytes_in_memory() + output_norm.size() * sizeof(float);
    for (const LayerWeights& l : layers) {
        for (const LinearWeight* w : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w_gate, &l.w_up, &l.w_down})
            total += w->bytes_in_memory();
        total += (l.attn_norm.size() + l.attn_sub_norm.size() + l.ffn_norm.size() + l.ffn_sub_norm.size()) *
                 sizeof(float);
    }
    return total;
}

}  // namespace tern
