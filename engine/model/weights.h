#pragma once
// The weights the forward pass reads, in their in-memory form: ternary matrices repacked into
// TernaryMatrix, float matrices used in place from the mmap (F32 / F16) or converted once at
// load (BF16 -> F32, quantized embeddings used as the output head -> F16), and small vectors
// (norms, per-tensor scales) copied to float.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/kernels/ternary_matrix.h"
#include "engine/model/head_q8.h"

namespace tern {

// One linear layer y = W x (W: rows = output features, cols = input features).
struct LinearWeight {
    enum class Kind { None, Ternary, F32, F16, Q8 };
    Kind kind = Kind::None;
    std::string name;
    int64_t rows = 0, cols = 0;
    TernaryMatrix ternary;              // Kind::Ternary
    Q8Matrix q8;                        // Kind::Q8 (the output head of ternary models)
    const float* f32 = nullptr;         // Kind::F32 (mmap or owned_f32)
    const uint16_t* f16 = nullptr;      // Kind::F16 (mmap or owned_f16)
    std::vector<float> owned_f32;       // converted copies (BF16 files)
    std::vector<uint16_t> owned_f16;    // converted copies (quantized tied head)
    float out_scale = 1.0f;             // optional `<name>.scale` tensor
    bool has_out_scale = false;

    uint64_t bytes_in_memory() const;
};

struct LayerWeights {
    std::vector<float> attn_norm, attn_sub_norm, ffn_norm, ffn_sub_norm;
    LinearWeight wq, wk, wv, wo, w_gate, w_up, w_down;
};

// Token embedding rows are decoded on demand with dequantize_row (any float-decodable type).
struct EmbeddingTable {
    uint32_t type_id = 0;
    const uint8_t* data = nullptr;  // in the mmap
    uint64_t row_bytes = 0;
    int64_t n_rows = 0, n_cols = 0;
};

struct ModelWeights {
    EmbeddingTable token_embd;
    std::vector<float> output_norm;
    LinearWeight output;  // output.weight, or the tied token_embd
    bool output_tied = true;
    std::vector<LayerWeights> layers;

    uint64_t bytes_in_memory() const;
};

}  // namespace tern
