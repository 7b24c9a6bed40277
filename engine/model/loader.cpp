#include "engine/model/loader.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/gguf/ggml_type.h"
#include "engine/gguf/gguf_file.h"
#include "engine/model/model.h"
#include "engine/model/repack.h"
#include "engine/base/error.h"
#include "engine/base/thread_pool.h"
#include "engine/tensor/float_codecs.h"
#include "engine/tensor/ternary_codecs.h"

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace tern {

namespace {
constexpr uint32_t kF32 = 0, kF16 = 1, kBF16 = 30, kTQ1 = 34, kTQ2 = 35, kI2S = 36;

bool is_ternary(uint32_t t) { return t == kTQ1 || t == kTQ2 || t == kI2S; }
bool is_float(uint32_t t) { return t == kF32 || t == kF16 || t == kBF16; }

std::string shape_str(const std::vector<int64_t>& ne) {
    std::string s = "{";
    for (size_t i = 0; i < ne.size(); ++i) s += (i ? ", " : "") + std::to_string(ne[i]);
    return s + "}";
}

[[noreturn]] void refuse_type(const GgufTensorInfo& t, const char* role) {
    if (t.type_id >= 37 && t.type_id <= 39)
        throw UnsupportedError("tensor " + t.name + " has type id " + std::to_string(t.type_id) +
                               ", which means different things in ggml (e.g. MXFP4) and in "
                               "bitnet.cpp's fork (TL1/TL2 lookup-table layouts): not supported");
    throw UnsupportedError("tensor " + t.name + " has type " + type_name(t.type_id) +
                           ", not supported for " + role);
}

// The tensor, required to exist with exactly this shape (trailing 1s allowed).
const GgufTensorInfo& expect(const GgufFile& f, const std::string& name, std::vector<int64_t> shape) {
    const GgufTensorInfo* t = f.find_tensor(name);
    if (!t) throw FormatError("missing tensor " + name);
    std::vector<int64_t> ne = t->ne;
    while (ne.size() > shape.size() && ne.back() == 1) ne.pop_back();
    while (ne.size() < shape.size()) ne.push_back(1);
    if (ne != shape)
        throw FormatError("tensor " + name + " has shape " + shape_str(t->ne) + ", expected " + shape_str(shape));
    return *t;
}

void check_linear_type(const GgufTensorInfo& t, bool allow_quantized_float) {
    if (is_ternary(t.type_id)) {
        if (t.ne[0] % 128 != 0)
            throw UnsupportedError("tensor " + t.name + ": " + std::to_string(t.ne[0]) +
                                   " columns is not a multiple of 128");
        return;
    }
    if (is_float(t.type_id)) return;
    if (allow_quantized_float && is_float_decodable(t.type_id)) return;
    refuse_type(t, "a linear weight");
}

void check_vector_type(const GgufTensorInfo& t) {
    if (!is_float(t.type_id)) refuse_type(t, "a norm / scale vector");
}

struct Names {
    static std::string blk(int64_t i, const char* what) { return "blk." + std::to_string(i) + "." + what; }
};

std::vector<float> read_vector(const GgufFile& f, const GgufTensorInfo& t) {
    std::vector<float> out(static_cast<size_t>(t.n_elements()));
    dequantize_row(t.type_id, f.tensor_bytes(t).data(), t.n_elements(), out.data());
    return out;
}

// Drops this process's mapping of file bytes that were converted and are not read again (the
// kernel keeps them in its page cache): otherwise the file's pages would count in the RSS next
// to their repacked copy. Only whole pages inside the range; later reads simply fault them in.
void release_file_pages(std::span<const uint8_t> bytes) {
#if defined(__linux__)
    static const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    const uintptr_t b = (reinterpret_cast<uintptr_t>(bytes.data()) + page - 1) & ~(page - 1);
    const uintptr_t e = (reinterpret_cast<uintptr_t>(bytes.data()) + bytes.size()) & ~(page - 1);
    if (e > b) madvise(reinterpret_cast<void*>(b), e - b, MADV_DONTNEED);
#else
    (void)bytes;
#endif
}

[[noreturn]] void throw_not_a_trit(const GgufTensorInfo& t, int64_t row, int64_t col) {
    throw FormatError("tensor " + t.name + ": row " + std::to_string(row) + " column " + std::to_string(col) +
                      " holds code 3, which is not a trit");
}

// Ternary file tensor -> TernaryMatrix (rows split across the pool).
TernaryMatrix repack_ternary(const GgufFile& f, const GgufTensorInfo& t, ThreadPool& pool) {
    const int64_t cols = t.ne[0], rows = t.ne[1];
    const uint8_t* data = f.tensor_bytes(t).data();
    if (t.type_id == kI2S) {
        TernaryMatrix m = make_ternary_matrix(rows, cols, cols);
        const float scale = i2_s_scale(data, rows, cols);
        std::fill(m.scales.begin(), m.scales.end(), scale);
        std::atomic<int64_t> bad{-1};  // a row holding code 3 (not a trit)
        pool.parallel_for(rows, 64, [&](int64_t b, int64_t e) {
            for (int64_t r = b; r < e; ++r)
                if (const int64_t c = repack_i2_s_row(data + r * (cols / 4), cols, m.row_codes(r)); c >= 0)
                    bad.store(r * cols + c);
        });
        if (bad.load() >= 0) throw_not_a_trit(t, bad.load() / cols, bad.load() % cols);
        return m;
    }
    // TQ1_0 / TQ2_0: one fp16 scale per 256-block. Kept per row when a row's blocks agree (the
    // usual case: models are quantized with one scale per tensor), else per 256-group.
    const int64_t nb = cols / 256;
    const int64_t block_bytes = t.type_id == kTQ2 ? 66 : 54;
    const int64_t row_bytes = nb * block_bytes;
    TernaryMatrix m = make_ternary_matrix(rows, cols, 256);
    std::vector<char> uniform(static_cast<size_t>(rows), 1);
    std::vector<float> row_scale(static_cast<size_t>(rows), 0.0f);
    std::atomic<int64_t> bad{-1};  // a TQ2_0 row holding code 3 (not a trit)
    pool.parallel_for(rows, 64, [&](int64_t b, int64_t e) {
        std::vector<int8_t> trits(static_cast<size_t>(cols));
        std::vector<float> bs(static_cast<size_t>(nb));
        std::unique_ptr<bool[]> zero_block(new bool[static_cast<size_t>(nb)]);
        for (int64_t r = b; r < e; ++r) {
            const uint8_t* in = data + r * row_bytes;
            if (t.type_id == kTQ2) {
                // Byte-level: TQ2_0 blocks already hold the native code bytes.
                if (const int64_t c = repack_tq2_0_row(in, cols, m.row_codes(r), bs.data(), zero_block.get()); c >= 0)
                    bad.store(r * cols + c);
            } else {
                tq1_0_unpack_row(in, cols, trits.data(), bs.data());
                pack_trits_row(trits.data(), cols, m.row_codes(r));
                for (int64_t k = 0; k < nb; ++k)
                    zero_block[static_cast<size_t>(k)] = std::all_of(
                        trits.begin() + k * 256, trits.begin() + (k + 1) * 256, [](int8_t x) { return x == 0; });
            }
            bool have = false;
            for (int64_t k = 0; k < nb; ++k) {
                m.scales[static_cast<size_t>(r * nb + k)] = bs[static_cast<size_t>(k)];
                // An all-zero block's scale does not matter.
                if (zero_block[static_cast<size_t>(k)]) continue;
                if (!have) { row_scale[static_cast<size_t>(r)] = bs[static_cast<size_t>(k)]; have = true; }
                else if (bs[static_cast<size_t>(k)] != row_scale[static_cast<size_t>(r)]) uniform[static_cast<size_t>(r)] = 0;
            }
        }
    });
    if (bad.load() >= 0) throw_not_a_trit(t, bad.load() / cols, bad.load() % cols);
    if (std::all_of(uniform.begin(), uniform.end(), [](char u) { return u != 0; })) {
        m.group_size = cols;
        m.scales = std::move(row_scale);
    }
    return m;
}

LinearWeight load_linear(const GgufFile& f, const GgufTensorInfo& t, ThreadPool& pool, bool is_head = false) {
    LinearWeight w;
    w.name = t.name;
    w.cols = t.ne[0];
    w.rows = t.ne[1];
    const auto bytes = f.tensor_bytes(t);
    const bool aligned4 = reinterpret_cast<uintptr_t>(bytes.data()) % 4 == 0;
    if (is_ternary(t.type_id)) {
        w.kind = LinearWeight::Kind::Ternary;
        w.ternary = repack_ternary(f, t, pool);
        release_file_pages(bytes);
    } else if (t.type_id == kF32 && aligned4) {
        w.kind = LinearWeight::Kind::F32;
        w.f32 = reinterpret_cast<const float*>(bytes.data());
    } else if (t.type_id == kF16 && aligned4) {
        w.kind = LinearWeight::Kind::F16;
        w.f16 = reinterpret_cast<const uint16_t*>(bytes.data());
    } else {
        // BF16 (or an unaligned float tensor) -> F32; a quantized (Q8_0/Q6_K) or BF16 head -> F16
        // (half the memory of F32 for the largest matrix of the model).
        const bool to_f16 = !is_float(t.type_id) || (is_head && t.type_id == kBF16);
        const uint64_t row_bytes = bytes.size() / static_cast<uint64_t>(w.rows);
        std::vector<float> row(static_cast<size_t>(w.cols));
        if (to_f16) w.owned_f16.resize(static_cast<size_t>(w.rows * w.cols));
        else w.owned_f32.resize(static_cast<size_t>(w.rows * w.cols));
        for (int64_t r = 0; r < w.rows; ++r) {
            const uint8_t* src = bytes.data() + static_cast<uint64_t>(r) * row_bytes;
            if (to_f16) {
                dequantize_row(t.type_id, src, w.cols, row.data());
                for (int64_t c = 0; c < w.cols; ++c)
                    w.owned_f16[static_cast<size_t>(r * w.cols + c)] = f32_to_f16(row[static_cast<size_t>(c)]);
            } else {
                dequantize_row(t.type_id, src, w.cols, w.owned_f32.data() + r * w.cols);
            }
        }
        release_file_pages(bytes);  // the converted copy is what the forward pass reads
        w.kind = to_f16 ? LinearWeight::Kind::F16 : LinearWeight::Kind::F32;
        w.f16 = to_f16 ? w.owned_f16.data() : nullptr;
        w.f32 = to_f16 ? nullptr : w.owned_f32.data();
    }
    // Optional per-tensor output scale: `<base>.scale` next to `<base>.weight`.
    std::string base = t.name;
    if (base.size() > 7 && base.ends_with(".weight")) base.resize(base.size() - 7);
    if (const GgufTensorInfo* s = f.find_tensor(base + ".scale")) {
        if (s->n_elements() != 1)
            throw FormatError("tensor " + s->name + " has " + std::to_string(s->n_elements()) +
                              " elements, expected 1");
        check_vector_type(*s);
        w.out_scale = read_vector(f, *s)[0];
        w.has_out_scale = true;
    }
    return w;
}

struct LayerShapes {
    std::string name; std::vector<int64_t> shape;
};

std::vector<LayerShapes> layer_linears(const HParams& hp, int64_t i) {
    const int64_t E = hp.n_embd, F = hp.n_ff, qd = hp.n_head * hp.head_dim, kvd = hp.n_head_kv * hp.head_dim;
    return {{Names::blk(i, "attn_q.weight"), {E, qd}},      {Names::blk(i, "attn_k.weight"), {E, kvd}},
            {Names::blk(i, "attn_v.weight"), {E, kvd}},     {Names::blk(i, "attn_output.weight"), {qd, E}},
            {Names::blk(i, "ffn_gate.weight"), {E, F}},     {Names::blk(i, "ffn_up.weight"), {E, F}},
            {Names::blk(i, "ffn_down.weight"), {F, E}}};
}

std::vector<LayerShapes> layer_norms(const HParams& hp, int64_t i) {
    return {{Names::blk(i, "attn_norm.weight"), {hp.n_embd}},
            {Names::blk(i, "attn_sub_norm.weight"), {hp.n_head * hp.head_dim}},
            {Names::blk(i, "ffn_norm.weight"), {hp.n_embd}},
            {Names::blk(i, "ffn_sub_norm.weight"), {hp.n_ff}}};
}
}  // namespace

void validate_tensors(const GgufFile& f, const HParams& hp) {
    if (hp.n_vocab <= 0) throw FormatError("cannot determine the vocabulary size (token_embd.weight missing?)");
    const GgufTensorInfo& te = expect(f, "token_embd.weight", {hp.n_embd, hp.n_vocab});
    if (!is_float_decodable(te.type_id)) refuse_type(te, "token_embd");
    check_vector_type(expect(f, "output_norm.weight", {hp.n_embd}));
    if (f.find_tensor("output.weight"))
        check_linear_type(expect(f, "output.weight", {hp.n_embd, hp.n_vocab}), true);
    for (int64_t i = 0; i < hp.n_layer; ++i) {
        for (const auto& l : layer_linears(hp, i)) check_linear_type(expect(f, l.name, l.shape), false);
        for (const auto& n : layer_norms(hp, i)) check_vector_type(expect(f, n.name, n.shape));
    }
}

std::unique_ptr<ModelWeights> load_weights(const GgufFile& f, const HParams& hp, ThreadPool& pool,
                                          const std::string& head_mode) {
    if (head_mode != "auto" && head_mode != "float" && head_mode != "q8")
        throw Error("unknown head form '" + head_mode + "' (auto, float, q8)");
    validate_tensors(f, hp);
    auto w = std::make_unique<ModelWeights>();
    const GgufTensorInfo& te = *f.find_tensor("token_embd.weight");
    w->token_embd.type_id = te.type_id;
    w->token_embd.data = f.tensor_bytes(te).data();
    w->token_embd.n_cols = hp.n_embd;
    w->token_embd.n_rows = hp.n_vocab;
    w->token_embd.row_bytes = f.tensor_bytes(te).size() / static_cast<uint64_t>(hp.n_vocab);
    w->output_norm = read_vector(f, *f.find_tensor("output_norm.weight"));
    // Tied head: token_embd as a linear weight (F32/F16 in place; BF16/Q8_0/Q6_K -> F16,
    // i.e. the head runs in float, not on the quantized blocks).
    const GgufTensorInfo* out = f.find_tensor("output.weight");
    w->output_tied = out == nullptr;
    const GgufTensorInfo& head = out ? *out : te;
    const bool ternary_model = is_ternary(f.find_tensor(Names::blk(0, "attn_q.weight"))->type_id);
    const bool q8 = (head_mode == "q8" || (head_mode == "auto" && ternary_model)) &&
                    is_float_decodable(head.type_id) && hp.n_embd % 128 == 0 && hp.n_layer > 0;
    if (q8) {
        LinearWeight& h = w->output;
        h.kind = LinearWeight::Kind::Q8;
        h.name = head.name;
        h.rows = hp.n_vocab;
        h.cols = hp.n_embd;
        const uint8_t* data = f.tensor_bytes(head).data();
        const uint64_t row_bytes = f.tensor_bytes(head).size() / static_cast<uint64_t>(hp.n_vocab);
        h.q8 = quantize_q8_rows(hp.n_vocab, hp.n_embd, [&](int64_t r, float* row) {
            dequantize_row(head.type_id, data + static_cast<uint64_t>(r) * row_bytes, hp.n_embd, row);
        }, pool);
        // A tied head's rows are still read as embeddings, but only a token's row at a time.
        release_file_pages(f.tensor_bytes(head));
    } else {
        w->output = load_linear(f, head, pool, true);
    }
    w->layers.resize(static_cast<size_t>(hp.n_layer));
    for (int64_t i = 0; i < hp.n_layer; ++i) {
        LayerWeights& L = w->layers[static_cast<size_t>(i)];
        LinearWeight* lin[] = {&L.wq, &L.wk, &L.wv, &L.wo, &L.w_gate, &L.w_up, &L.w_down};
        const auto shapes = layer_linears(hp, i);
        for (size_t j = 0; j < shapes.size(); ++j) *lin[j] = load_linear(f, *f.find_tensor(shapes[j].name), pool);
        std::vector<float>* norms[] = {&L.attn_norm, &L.attn_sub_norm, &L.ffn_norm, &L.ffn_sub_norm};
        const auto ns = layer_norms(hp, i);
        for (size_t j = 0; j < ns.size(); ++j) *norms[j] = read_vector(f, *f.find_tensor(ns[j].name));
    }
    return w;
}

}  // namespace tern
