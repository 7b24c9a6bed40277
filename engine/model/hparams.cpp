#include "engine/model/hparams.h"

#include <string>

#include "engine/gguf/gguf_file.h"
#include "engine/model/arch.h"
#include "engine/base/error.h"

namespace tern {

namespace {
int64_t required_int(const GgufFile& f, const std::string& key) {
    const auto v = f.get_int(key);
    if (!v) throw FormatError("missing metadata key " + key);
    if (*v <= 0) throw FormatError("metadata key " + key + " must be positive, got " + std::to_string(*v));
    return *v;
}
}  // namespace

HParams read_hparams(const GgufFile& f) {
    HParams hp;
    const auto arch = f.get_string("general.architecture");
    if (!arch) throw FormatError("missing metadata key general.architecture");
    hp.arch_name = *arch;
    const ArchSpec* spec = find_arch(*arch);
    if (!spec)
        throw UnsupportedError("unsupported architecture \"" + *arch +
                               "\" (supported: bitnet, bitnet-b1.58, bitnet-25)");
    hp.arch = spec->arch;
    hp.act = spec->activation(f, *arch);

    const std::string p = *arch + ".";
    hp.n_embd = required_int(f, p + "embedding_length");
    hp.n_layer = required_int(f, p + "block_count");
    hp.n_ff = required_int(f, p + "feed_forward_length");
    hp.n_head = required_int(f, p + "attention.head_count");
    hp.n_head_kv = f.get_int(p + "attention.head_count_kv").value_or(hp.n_head);
    hp.n_ctx_train = f.get_int(p + "context_length").value_or(0);
    hp.rope_base = static_cast<float>(f.get_float(p + "rope.freq_base").value_or(10000.0));
    hp.rms_eps = static_cast<float>(f.get_float(p + "attention.layer_norm_rms_epsilon").value_or(1e-5));

    if (hp.n_head_kv <= 0 || hp.n_head % hp.n_head_kv != 0)
        throw FormatError(p + "attention.head_count_kv = " + std::to_string(hp.n_head_kv) +
                          " must divide head_count = " + std::to_string(hp.n_head));
    if (const auto kl = f.get_int(p + "attention.key_length")) {
        hp.head_dim = *kl;
    } else {
        if (hp.n_embd % hp.n_head != 0)
            throw FormatError(p + "embedding_length " + std::to_string(hp.n_embd) +
                              " is not a multiple of head_count " + std::to_string(hp.n_head));
        hp.head_dim = hp.n_embd / hp.n_head;
    }
    if (const auto vl = f.get_int(p + "attention.value_length"); vl && *vl != hp.head_dim)
        throw UnsupportedError(p + "attention.value_length " + std::to_string(*vl) +
                               " differs from key_length " + std::to_string(hp.head_dim));
    hp.rope_dim = f.get_int(p + "rope.dimension_count").value_or(hp.head_dim);
    if (hp.head_dim <= 0 || hp.rope_dim <= 0 || hp.rope_dim > hp.head_dim || hp.rope_dim % 2 != 0)
        throw FormatError(p + "rope.dimension_count " + std::to_string(hp.rope_dim) +
                          " must be even and at most the head dimension " + std::to_string(hp.head_dim));
    if (!(hp.rope_base > 0.0f)) throw FormatError(p + "rope.freq_base must be positive");
    if (!(hp.rms_eps > 0.0f)) throw FormatError(p + "attention.layer_norm_rms_epsilon must be positive");

    // The vocabulary size is taken from token_embd (the loader checks it); the key is a hint.
    hp.n_vocab = f.get_int(p + "vocab_size").value_or(0);
    if (const GgufTensorInfo* te = f.find_tensor("token_embd.weight"); te && te->ne.size() >= 2)
        hp.n_vocab = te->ne[1];
    return hp;
}

}  // namespace tern
