#pragma once
// Picks the next token from logits: greedy, or temperature + top-k + top-p with a seeded RNG
// (reproducible: same seed and logits give the same tokens).
#include <cstdint>
#include <random>
#include <span>

namespace tern {

struct SamplerParams {
    float temperature = 0.0f;  // <= 0 means greedy (argmax)
    int32_t top_k = 0;         // 0 = off
    float top_p = 1.0f;        // 1 = off
    uint64_t seed = 42;
};

class Sampler {
public:
    explicit Sampler(const SamplerParams& p);
    int32_t sample(std::span<const float> logits);
    const SamplerParams& params() const { return params_; }

private:
    SamplerParams params_;
    std::mt19937_64 rng_;
};

}  // namespace tern
