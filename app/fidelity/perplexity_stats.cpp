#include "app/fidelity/perplexity_stats.h"

#include <algorithm>
#include <cmath>

#include "app/fidelity/kl_base_file.h"
#include "app/metrics/metric_builder.h"
#include "app/stats/percentile.h"

namespace bench {

double token_nll(std::span<const float> logits, int32_t next) {
    float max_logit = logits[0];
    for (float v : logits) max_logit = std::max(max_logit, v);
    double sum_exp = 0.0;
    for (float v : logits) sum_exp += std::exp(v - max_logit);
    return -(double(logits[static_cast<size_t>(next)]) - max_logit - std::log(sum_exp));
}

double NllAccumulator::ppl() const { return std::exp(mean()); }

std::optional<double> NllAccumulator::ppl_err() const {
    if (count_ < 2) return std::nullopt;
    const double m = mean();
    const double var = sum2_ / double(count_) - m * m;
    if (!(var > 0)) return std::nullopt;
    return std::sqrt(var / double(count_ - 1)) * ppl();
}

KlPosition compare_with_base(std::span<const float> logits, int32_t next, std::span<const uint16_t> record) {
    // Float where llama-perplexity uses float, so the figures agree to its printed digits.
    const size_t n_vocab = logits.size();
    float max_logit = logits[0];
    size_t imax = 0;
    for (size_t i = 1; i < n_vocab; ++i)
        if (logits[i] > max_logit) {
            max_logit = logits[i];
            imax = i;
        }
    double sum_exp = 0.0;
    for (size_t i = 0; i < n_vocab; ++i) sum_exp += std::exp(logits[i] - max_logit);
    const float log_sum_exp = static_cast<float>(std::log(sum_exp));
    const float scale = record_scale(record), min_log_prob = record_min_log_prob(record);
    const uint16_t* q = record.data() + 4;
    const auto tok = static_cast<size_t>(next);

    KlPosition r;
    const float nll = max_logit + log_sum_exp - logits[tok];
    const float nll_base = -(scale * q[tok] + min_log_prob);
    r.nll = nll;
    r.nll_base = nll_base;
    const float log_norm = max_logit + log_sum_exp;
    double sum = 0;
    size_t imax_base = 0;
    float p_log_base_max = 0;
    for (size_t i = 0; i < n_vocab; ++i) {
        const float p_log_base = scale * q[i] + min_log_prob;
        if (i == 0 || p_log_base > p_log_base_max) {
            p_log_base_max = p_log_base;
            imax_base = i;
        }
        if (p_log_base > -16.f) sum += std::exp(p_log_base) * (p_log_base - logits[i] + log_norm);
    }
    r.kld = sum;
    r.same_top = imax == imax_base;
    r.p_diff = double(std::exp(-nll)) - double(std::exp(-nll_base));
    return r;
}

void KlAccumulator::add(const KlPosition& p) {
    kld_.push_back(p.kld);
    sum_p_diff2_ += p.p_diff * p.p_diff;
    if (p.same_top) ++same_top_;
    nll_.add(p.nll);
    nll_base_.add(p.nll_base);
}

double KlAccumulator::kld_mean() const {
    if (kld_.empty()) return 0;
    double s = 0;
    for (double v : kld_) s += v;
    return s / double(kld_.size());
}

double KlAccumulator::same_top_pct() const {
    return kld_.empty() ? 0 : 100.0 * double(same_top_) / double(kld_.size());
}

void KlAccumulator::add_metrics(std::vector<tbdb::Metric>& out) const {
    metrics::MetricBuilder mb(out);
    const int64_t n = count();
    if (n == 0) return;
    const std::string note = "against the KL base, over " + std::to_string(n) + " scored tokens";
    mb.add("kld_mean", kld_mean(), "nats", n, note);
    mb.add("kld_median", percentile_unchecked(kld_, 50), "nats", n, note);
    const auto p99 = percentile(kld_, 99);
    mb.add("kld_p99", p99.value, "nats", n, p99.value ? note : p99.note);
    mb.add("kld_max", *std::max_element(kld_.begin(), kld_.end()), "nats", n, note);
    mb.add("same_top_pct", same_top_pct(), "%", n, "argmax equal to the base's argmax");
    mb.add("dp_rms_pct", 100.0 * std::sqrt(sum_p_diff2_ / double(n)), "%", n,
           "RMS of p(next) - p_base(next)");
    mb.add("ppl_base", nll_base_.ppl(), "", n, "the base's PPL from its 16-bit log-probabilities (as llama-perplexity)");
    mb.add("ppl_ratio", std::exp(nll_.mean() - nll_base_.mean()), "", n,
           "PPL / PPL(base), both over the base's scored tokens");
}

}  // namespace bench
