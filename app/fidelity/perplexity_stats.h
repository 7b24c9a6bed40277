#pragma once
// The figures llama-perplexity reports, computed the way it computes them (FORMATS.md
// section 8): PPL = exp(mean NLL) with the error exp(mean) * sqrt(var(NLL) / (n - 1)), and per
// scored position against a KL base: KLD over the tokens with log p_base > -16, same top token,
// delta p of the next token.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "db/run_record.h"

namespace bench {

// -log softmax(logits)[next]: float max, double sum of expf (as llama-perplexity).
double token_nll(std::span<const float> logits, int32_t next);

class NllAccumulator {
public:
    void add(double nll) {
        sum_ += nll;
        sum2_ += nll * nll;
        ++count_;
    }
    int64_t count() const { return count_; }
    double mean() const { return count_ ? sum_ / double(count_) : 0.0; }
    double ppl() const;
    // llama-perplexity's "+/- E": empty with fewer than two tokens or no spread.
    std::optional<double> ppl_err() const;

private:
    double sum_ = 0, sum2_ = 0;
    int64_t count_ = 0;
};

// One scored position compared with its base record.
struct KlPosition {
    double nll = 0;        // -log p(next) of the evaluated logits
    double nll_base = 0;   // the same from the base's 16-bit log-probabilities
    double kld = 0;        // sum over log p_base > -16 of p_base (log p_base - log p)
    double p_diff = 0;     // p(next) - p_base(next)
    bool same_top = false; // argmax of the logits == argmax of the base record
};
KlPosition compare_with_base(std::span<const float> logits, int32_t next, std::span<const uint16_t> record);

class KlAccumulator {
public:
    void add(const KlPosition& p);
    int64_t count() const { return int64_t(kld_.size()); }
    // kld_mean, kld_median, kld_p99, kld_max, same_top_pct, dp_rms_pct, ppl_base, ppl_ratio.
    void add_metrics(std::vector<tbdb::Metric>& out) const;
    double kld_mean() const;
    double same_top_pct() const;

private:
    std::vector<double> kld_;
    double sum_p_diff2_ = 0;
    int64_t same_top_ = 0;
    NllAccumulator nll_, nll_base_;
};

}  // namespace bench
