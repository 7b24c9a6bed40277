#include "engine/model/model.h"

#include <chrono>

#include "engine/gguf/gguf_file.h"
#include "engine/model/hparams.h"
#include "engine/model/loader.h"
#include "engine/model/weights.h"
#include "engine/base/error.h"
#include "engine/base/thread_pool.h"
#include "engine/tokenizer/vocab.h"

namespace tern {

namespace {
using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// Everything `model info` shows that does not need the model to be supported.
ModelInfo describe(const GgufFile& f) {
    ModelInfo info;
    info.path = f.path();
    info.file_bytes = f.file_size();
    info.hparams.arch_name = f.get_string("general.architecture").value_or("");
    info.tokenizer_model = f.get_string("tokenizer.ggml.model").value_or("");
    for (const GgufTensorInfo& t : f.tensors()) {
        info.tensors.push_back({t.name, type_name(t.type_id), t.ne, t.nbytes});
        info.n_params += t.n_elements();
        if (t.name == "token_embd.weight") info.embedding_type = type_name(t.type_id);
        if (info.ternary_type.empty() && t.name.ends_with("attn_q.weight")) info.ternary_type = type_name(t.type_id);
    }
    return info;
}
}  // namespace

Model::~Model() = default;

std::shared_ptr<const Model> Model::load(const std::string& path, const LoadOptions& opts) {
    const auto t0 = Clock::now();
    std::shared_ptr<Model> m(new Model());
    m->kernels_ = &select_kernels(opts.kernel);
    m->file_ = GgufFile::open(path);
    const GgufFile& f = *m->file_;
    try {
        m->hparams_ = read_hparams(f);
        validate_tensors(f, m->hparams_);
    } catch (const UnsupportedError& e) {
        throw UnsupportedError(path + ": " + e.what());
    } catch (const Error& e) {
        throw FormatError(path + ": " + e.what());
    }
    m->stats_.map_ms = ms_since(t0);

    const auto t1 = Clock::now();
    {
        // Repacking is per row and parallel; the pool lives for the load only.
        ThreadPool pool(opts.threads);
        m->stats_.repack_threads = pool.size();
        m->weights_ = load_weights(f, m->hparams_, pool, opts.head);
    }
    m->stats_.repack_ms = ms_since(t1);

    m->tokenizer_ = Tokenizer::create(read_vocab(f));
    if (m->tokenizer_->n_vocab() > m->hparams_.n_vocab)
        throw FormatError(path + ": the tokenizer has " + std::to_string(m->tokenizer_->n_vocab()) +
                          " tokens but token_embd.weight only " + std::to_string(m->hparams_.n_vocab) + " rows");

    m->info_ = describe(f);
    m->info_.hparams = m->hparams_;
    m->info_.supported = true;
    m->stats_.file_bytes = f.file_size();
    m->stats_.weight_bytes_in_memory = m->weights_->bytes_in_memory();
    m->stats_.total_ms = ms_since(t0);
    return m;
}

ModelInfo Model::inspect(const std::string& path) {
    const auto file = GgufFile::open(path);
    ModelInfo info = describe(*file);
    try {
        info.hparams = read_hparams(*file);
        validate_tensors(*file, info.hparams);
        Tokenizer::create(read_vocab(*file));
        info.supported = true;
    } catch (const Error& e) {
        info.supported = false;
        info.unsupported_reason = e.what();
    }
    return info;
}

}  // namespace tern
