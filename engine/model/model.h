#pragma once
// A loaded BitNet model: hyper-parameters, tokenizer and weights (ternary matrices repacked
// into TernaryMatrix, float tensors read in place from the mmap). Immutable after load, so
// any number of Sessions on any threads share one Model.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/kernels/kernel_set.h"
#include "engine/tokenizer/tokenizer.h"

namespace tern {

class GgufFile;
struct ModelWeights;  // engine/model/weights.h

enum class Arch { Bitnet, BitnetB158 };             // "bitnet"; "bitnet-b1.58" / "bitnet-25"
enum class Activation { Silu, ReluSquared };

struct HParams {
    std::string arch_name;
    Arch arch = Arch::Bitnet;
    Activation act = Activation::Silu;
    int64_t n_vocab = 0, n_ctx_train = 0, n_embd = 0, n_layer = 0, n_ff = 0;
    int64_t n_head = 0, n_head_kv = 0, head_dim = 0, rope_dim = 0;
    float rope_base = 10000.0f, rms_eps = 1e-5f;
};

struct LoadOptions {
    std::string kernel = "auto";  // see select_kernels()
    // Output head form: "auto" = int8 rows (Q8, see head_q8.h) for ternary models, the file's
    // float form otherwise; "float" = always float (F32/F16 as stored; BF16/Q8_0/Q6_K -> F16);
    // "q8" = always int8 rows.
    std::string head = "auto";
    // Threads that repack the weights (0: the physical cores). A run gives its own thread
    // count, so a 1-thread run's load time is measured on one thread.
    int threads = 0;
};

// What loading cost, measured (never estimated).
struct LoadStats {
    double map_ms = 0;        // open + mmap + parse
    double repack_ms = 0;     // ternary tensors -> TernaryMatrix
    double total_ms = 0;
    int repack_threads = 0;   // threads the repacking ran on
    uint64_t file_bytes = 0;
    uint64_t weight_bytes_in_memory = 0;  // native weights the forward pass reads
};

// Summary for `model info` and for run records.
struct TensorSummary { std::string name; std::string type; std::vector<int64_t> ne; uint64_t bytes; };
struct ModelInfo {
    std::string path;
    HParams hparams;
    std::string ternary_type;   // "I2_S", "TQ2_0", "TQ1_0", "F32", "F16", ... (of the linear weights)
    std::string embedding_type;
    std::string tokenizer_model;
    int64_t n_params = 0;
    uint64_t file_bytes = 0;
    std::vector<TensorSummary> tensors;
    bool supported = false;
    std::string unsupported_reason;  // set when !supported
};

class Model {
public:
    // Throws tern::Error (FormatError / UnsupportedError) naming the file and the problem.
    static std::shared_ptr<const Model> load(const std::string& path, const LoadOptions& opts = {});
    // Reads metadata and tensor table only; an unsupported-but-valid file returns supported=false.
    static ModelInfo inspect(const std::string& path);
    ~Model();

    const HParams& hparams() const { return hparams_; }
    const Tokenizer& tokenizer() const { return *tokenizer_; }
    const KernelSet& kernels() const { return *kernels_; }
    const ModelInfo& info() const { return info_; }
    const LoadStats& load_stats() const { return stats_; }
    const ModelWeights& weights() const { return *weights_; }

private:
    Model() = default;
    std::shared_ptr<const GgufFile> file_;
    HParams hparams_;
    std::unique_ptr<Tokenizer> tokenizer_;
    const KernelSet* kernels_ = nullptr;
    ModelInfo info_;
    LoadStats stats_;
    std::unique_ptr<ModelWeights> weights_;
};

}  // namespace tern
