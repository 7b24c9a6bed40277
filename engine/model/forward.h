#pragma once
// The forward pass over a batch of sequences. One call evaluates any mix of prefill (many
// tokens of one sequence) and decode (one token of each of many sequences): the linear layers
// run once over all rows of the batch, so each weight is read once per call, while attention
// runs per sequence against its own KV cache.
#include <cstdint>
#include <span>
#include <vector>

#include "engine/kernels/ternary_matrix.h"
#include "engine/model/model.h"

namespace tern {

class ThreadPool;
struct KvCache;

struct SeqBatch {
    KvCache* kv = nullptr;               // positions start at kv->n_past, which advances
    std::span<const int32_t> tokens;     // appended to the sequence
    bool all_logits = false;             // logits for every token, else for the last one
};

// Buffers reused across calls (grown on demand, never shrunk), so steady-state decoding
// allocates nothing. One workspace per concurrent caller.
struct ForwardWorkspace {
    std::vector<float> h, xn, q, k, v, att, tmp, gate, up;
    std::vector<float> rope_cos, rope_sin;   // [row][rope_dim/2]
    std::vector<double> inv_freq;            // [rope_dim/2]
    std::vector<int64_t> row_pos, row_seq;   // per batch row
    std::vector<int64_t> seq_row0;           // first batch row of each sequence
    std::vector<float> scores;               // per thread: n_ctx attention weights
    std::vector<float> head_in;              // rows feeding the output head
    QuantizedActs acts_embd, acts_ff;        // activations quantized for K = n_embd / n_ff
    std::vector<float> logits;               // [n_logit_rows][n_vocab]
    std::vector<int64_t> logits_row0;        // first logits row of each sequence
    std::vector<int64_t> logits_rows;        // logits rows of each sequence
};

// Throws tern::Error (before touching any cache) when a token id is out of range, a batch is
// empty, or a sequence would overflow its context.
void validate_batch(const Model& model, std::span<const SeqBatch> batch);

// Evaluates the batch; afterwards each kv->n_past has advanced by its token count.
void forward(const Model& model, std::span<const SeqBatch> batch, ThreadPool& pool,
             ForwardWorkspace& ws);

// Logits rows of sequence `i` of the last forward() ([rows][n_vocab], row-major).
std::span<const float> sequence_logits(const Model& model, const ForwardWorkspace& ws, size_t i);

}  // namespace tern
