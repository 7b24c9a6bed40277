#pragma once
// Picks the next token from logits: greedy, or temperature + top-k + top-p with a seeded RNG
// (reproducible: same seed and logits give the same tokens, on any standard library: the
// uniform draw is made from the mt19937_64 bits directly).
// Order: keep the top_k best logits, softmax(logit / T) over them, keep the smallest prefix
// (by descending probability, lowest id first on ties) whose mass reaches top_p, draw.
// NaN and -inf logits are never drawn; if any logit is +inf, the +inf ones share all the
// mass. Greedy (T <= 0, or top_k == 1) is the argmax, lowest id on ties.
#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace tern {

struct SamplerParams {
    float temperature = 0.0f;  // <= 0 means greedy (argmax)
    int32_t top_k = 0;         // 0 = off
    float top_p = 1.0f;        // 1 = off
    uint64_t seed = 42;
    std::vector<std::pair<int32_t, float>> logit_bias;  // (token id, added to its logit)
};

class Sampler {
public:
    // One token under consideration in a draw (scratch kept between draws).
    struct Candidate {
        int32_t id;
        float logit;
        float weight;  // unnormalised probability exp((logit - max) / T)
    };
    explicit Sampler(const SamplerParams& p);
    int32_t sample(std::span<const float> logits);  // throws Error on empty logits
    const SamplerParams& params() const { return params_; }

private:
    SamplerParams params_;
    std::mt19937_64 rng_;
    std::vector<float> biased_;  // scratch: the logits with logit_bias applied
    std::vector<Candidate> candidates_;  // scratch of sample()
};

}  // namespace tern
