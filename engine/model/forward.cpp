// The BitNet block stack of docs/FORMATS.md section 4, shared by every supported architecture:
//   x = rmsnorm(h, attn_norm); q,k,v = W x; rope(q,k); a = attention; a = rmsnorm(a, attn_sub_norm)
//   h += Wo a; x = rmsnorm(h, ffn_norm); f = act(Wg x) * (Wu x); f = rmsnorm(f, ffn_sub_norm)
//   h += Wd f;  logits = head * rmsnorm(h, output_norm)
// Ternary weights multiply int8 activations quantized per token (absmax, bitnet.cpp's W1.58A8
// scheme, for I2_S, TQ2_0 and TQ1_0 alike); float weights multiply float activations.
#include "engine/model/forward.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "engine/model/attention.h"
#include "engine/model/blocks.h"
#include "engine/model/weights.h"
#include "engine/base/error.h"
#include "engine/model/kv_cache.h"
#include "engine/model/qkv_attention.h"
#include "engine/base/thread_pool.h"
#include "engine/tensor/float_codecs.h"

namespace tern {

namespace {
template <class T>
T* sized(std::vector<T>& v, int64_t n) {
    if (v.size() < static_cast<size_t>(n)) v.resize(static_cast<size_t>(n));
    return v.data();
}

void add_rows(float* h, const float* d, int64_t n) {
    for (int64_t i = 0; i < n; ++i) h[i] += d[i];
}
}  // namespace

void validate_batch(const Model& model, std::span<const SeqBatch> batch) {
    const int64_t n_vocab = model.hparams().n_vocab;
    if (batch.empty()) throw Error("forward: empty batch");
    for (const SeqBatch& s : batch) {
        if (!s.kv) throw Error("forward: sequence without a KV cache");
        if (s.tokens.empty()) throw Error("forward: no tokens to evaluate");
        for (int32_t id : s.tokens)
            if (id < 0 || id >= n_vocab)
                throw Error("token id " + std::to_string(id) + " is out of range [0, " +
                            std::to_string(n_vocab) + ")");
        const int64_t n = static_cast<int64_t>(s.tokens.size());
        if (s.kv->n_past + n > s.kv->n_ctx)
            throw Error("context full: " + std::to_string(s.kv->n_past) + " + " + std::to_string(n) +
                        " tokens > n_ctx " + std::to_string(s.kv->n_ctx));
    }
}

void forward(const Model& model, std::span<const SeqBatch> batch, ThreadPool& pool,
             ForwardWorkspace& ws) {
    validate_batch(model, batch);
    const HParams& hp = model.hparams();
    const ModelWeights& W = model.weights();
    const KernelSet& ks = model.kernels();
    const int64_t E = hp.n_embd, F = hp.n_ff, hd = hp.head_dim;
    const int64_t q_dim = hp.n_head * hd, kv_dim = hp.n_head_kv * hd;
    const int64_t half = hp.rope_dim / 2;

    // Row bookkeeping: which sequence and position each batch row is.
    int64_t M = 0;
    ws.seq_row0.resize(batch.size());
    for (size_t s = 0; s < batch.size(); ++s) {
        ws.seq_row0[s] = M;
        M += static_cast<int64_t>(batch[s].tokens.size());
    }
    int64_t* row_pos = sized(ws.row_pos, M);
    int64_t* row_seq = sized(ws.row_seq, M);
    float* h = sized(ws.h, M * E);
    float* xn = sized(ws.xn, M * std::max({E, F, q_dim}));
    float* q = sized(ws.q, M * q_dim);
    float* k = sized(ws.k, M * kv_dim);
    float* v = sized(ws.v, M * kv_dim);
    float* att = sized(ws.att, M * q_dim);
    float* tmp = sized(ws.tmp, M * std::max(E, q_dim));
    float* gate = sized(ws.gate, M * F);
    float* up = sized(ws.up, M * F);
    float* rc = sized(ws.rope_cos, M * half);
    float* rs = sized(ws.rope_sin, M * half);

    // Embeddings, positions and the rotation table of every row (NEOX: pair j turns by
    // pos * base^(-2j/rope_dim)).
    double* inv_freq = sized(ws.inv_freq, half);
    for (int64_t j = 0; j < half; ++j)
        inv_freq[j] = std::pow(static_cast<double>(hp.rope_base), -2.0 * static_cast<double>(j) / static_cast<double>(hp.rope_dim));
    const EmbeddingTable& te = W.token_embd;
    for (size_t s = 0; s < batch.size(); ++s) {
        for (size_t i = 0; i < batch[s].tokens.size(); ++i) {
            const int64_t r = ws.seq_row0[s] + static_cast<int64_t>(i);
            const int32_t id = batch[s].tokens[i];
            row_seq[r] = static_cast<int64_t>(s);
            row_pos[r] = batch[s].kv->n_past + static_cast<int64_t>(i);
            dequantize_row(te.type_id, te.data + static_cast<uint64_t>(id) * te.row_bytes, E, h + r * E);
            for (int64_t j = 0; j < half; ++j) {
                const double theta = static_cast<double>(row_pos[r]) * inv_freq[j];
                rc[r * half + j] = static_cast<float>(std::cos(theta));
                rs[r * half + j] = static_cast<float>(std::sin(theta));
            }
        }
    }

    const bool relu2 = hp.act == Activation::ReluSquared;
    const bool fused_attention = qkv_attention_applies(hp, batch, pool.size());
    for (int64_t il = 0; il < hp.n_layer; ++il) {
        const LayerWeights& L = W.layers[static_cast<size_t>(il)];
        // Attention.
        rmsnorm_rows(ks, pool, h, M, E, L.attn_norm.data(), hp.rms_eps, xn);
        if (fused_attention) {
            qkv_attention(ks, pool, hp, L, il, batch, xn, M, rc, rs, q, k, v, att, ws);
        } else {
            const LinearJob qkv[] = {{&L.wq, q, q_dim}, {&L.wk, k, kv_dim}, {&L.wv, v, kv_dim}};
            run_linears(ks, pool, qkv, xn, M, E, ws.acts_embd);
            rope_rows(q, M, hp.n_head, hd, hp.rope_dim, rc, rs);
            rope_rows(k, M, hp.n_head_kv, hd, hp.rope_dim, rc, rs);
            for (int64_t r = 0; r < M; ++r) {
                KvCache& kv = *batch[static_cast<size_t>(row_seq[r])].kv;
                for (int64_t g = 0; g < hp.n_head_kv; ++g)
                    kv.store(ks, il, g, row_pos[r], k + r * kv_dim + g * hd, v + r * kv_dim + g * hd);
            }
            attention_layer(ks, pool, hp, il, batch, q, att, ws);
        }
        rmsnorm_rows(ks, pool, att, M, q_dim, L.attn_sub_norm.data(), hp.rms_eps, xn);
        const LinearJob wo[] = {{&L.wo, tmp, E}};
        run_linears(ks, pool, wo, xn, M, q_dim, ws.acts_embd);
        add_rows(h, tmp, M * E);

        // Feed-forward.
        rmsnorm_rows(ks, pool, h, M, E, L.ffn_norm.data(), hp.rms_eps, xn);
        run_gate_up(ks, pool, relu2, L.w_gate, L.w_up, xn, M, E, F, gate, up, ws.acts_embd);
        rmsnorm_rows(ks, pool, gate, M, F, L.ffn_sub_norm.data(), hp.rms_eps, xn);
        const LinearJob down[] = {{&L.w_down, tmp, E}};
        run_linears(ks, pool, down, xn, M, F, ws.acts_ff);
        add_rows(h, tmp, M * E);
    }

    // Output head over the rows whose logits are wanted.
    ws.logits_row0.resize(batch.size());
    ws.logits_rows.resize(batch.size());
    int64_t n_out = 0;
    for (size_t s = 0; s < batch.size(); ++s) {
        ws.logits_row0[s] = n_out;
        ws.logits_rows[s] = batch[s].all_logits ? static_cast<int64_t>(batch[s].tokens.size()) : 1;
        n_out += ws.logits_rows[s];
    }
    float* head_in = sized(ws.head_in, n_out * E);
    for (size_t s = 0; s < batch.size(); ++s) {
        const int64_t n = static_cast<int64_t>(batch[s].tokens.size());
        const int64_t first = ws.seq_row0[s] + n - ws.logits_rows[s];
        for (int64_t i = 0; i < ws.logits_rows[s]; ++i)
            ks.rmsnorm(h + (first + i) * E, W.output_norm.data(), E, hp.rms_eps,
                       head_in + (ws.logits_row0[s] + i) * E);
    }
    float* logits = sized(ws.logits, n_out * hp.n_vocab);
    const LinearJob head[] = {{&W.output, logits, hp.n_vocab}};
    run_linears(ks, pool, head, head_in, n_out, E, ws.acts_embd);

    for (const SeqBatch& s : batch) s.kv->n_past += static_cast<int64_t>(s.tokens.size());
}

std::span<const float> sequence_logits(const Model& model, const ForwardWorkspace& ws, size_t i) {
    const int64_t V = model.hparams().n_vocab;
    return {ws.logits.data() + ws.logits_row0[i] * V, static_cast<size_t>(ws.logits_rows[i] * V)};
}

}  // namespace tern
