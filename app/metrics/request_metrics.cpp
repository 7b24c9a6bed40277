#include "app/metrics/request_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace bench::metrics {

double ms_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

tbdb::RequestRecord to_request_record(const tern::GenerationResult& r, Clock::time_point t0,
                                      int index, int repetition) {
    tbdb::RequestRecord rec;
    rec.index = index;
    rec.repetition = repetition;
    rec.prompt_tokens = r.prompt_tokens;
    rec.output_tokens = static_cast<int>(r.tokens.size());
    rec.submit_ms = ms_between(t0, r.submitted);
    rec.token_times_ms.reserve(r.token_times.size());
    for (const auto& t : r.token_times)
        rec.token_times_ms.push_back(static_cast<float>(ms_between(r.submitted, t)));
    if (!r.token_times.empty()) {
        rec.ttft_ms = ms_between(r.submitted, r.token_times.front());
        rec.e2e_ms = ms_between(r.submitted, r.token_times.back());
    }
    rec.stop_reason = tern::stop_reason_name(r.stop);
    if (r.stop == tern::StopReason::Error && !r.error.empty()) rec.stop_reason += ": " + r.error;
    return rec;
}

std::optional<double> tpot_ms(const tbdb::RequestRecord& r) {
    if (r.output_tokens < 2 || !r.ttft_ms || !r.e2e_ms) return std::nullopt;
    return (*r.e2e_ms - *r.ttft_ms) / (r.output_tokens - 1);
}

std::vector<double> itl_ms(const tbdb::RequestRecord& r) {
    std::vector<double> gaps;
    for (size_t i = 1; i < r.token_times_ms.size(); ++i)
        gaps.push_back(double(r.token_times_ms[i]) - double(r.token_times_ms[i - 1]));
    return gaps;
}

std::optional<double> decode_tok_s(const tbdb::RequestRecord& r) {
    auto tpot = tpot_ms(r);
    if (!tpot || *tpot <= 0) return std::nullopt;
    return 1000.0 / *tpot;
}

std::optional<double> makespan_ms(const std::vector<tbdb::RequestRecord>& requests) {
    double first_submit = std::numeric_limits<double>::infinity();
    double last_token = -std::numeric_limits<double>::infinity();
    for (const auto& r : requests) {
        first_submit = std::min(first_submit, r.submit_ms);
        if (r.e2e_ms) last_token = std::max(last_token, r.submit_ms + *r.e2e_ms);
    }
    if (!std::isfinite(first_submit) || !std::isfinite(last_token)) return std::nullopt;
    return last_token - first_submit;
}

std::optional<double> output_tok_s(const std::vector<tbdb::RequestRecord>& requests) {
    int64_t tokens = 0;
    for (const auto& r : requests) tokens += r.output_tokens;
    auto span = makespan_ms(requests);
    if (tokens == 0 || !span || *span <= 0) return std::nullopt;
    return tokens / (*span / 1000.0);
}

std::optional<double> decode_aggregate_tok_s(const std::vector<tbdb::RequestRecord>& requests) {
    int64_t tokens = 0;
    double first = std::numeric_limits<double>::infinity(), last = -std::numeric_limits<double>::infinity();
    for (const auto& r : requests) {
        if (!r.ttft_ms || !r.e2e_ms || r.output_tokens < 2) continue;
        tokens += r.output_tokens - 1;
        first = std::min(first, r.submit_ms + *r.ttft_ms);
        last = std::max(last, r.submit_ms + *r.e2e_ms);
    }
    if (tokens == 0 || !(last > first)) return std::nullopt;
    return tokens / ((last - first) / 1000.0);
}

LatencySamples collect_latencies(const std::vector<tbdb::RequestRecord>& requests) {
    LatencySamples s;
    for (const auto& r : requests) {
        if (r.ttft_ms) s.ttft.push_back(*r.ttft_ms);
        if (r.e2e_ms) s.e2e.push_back(*r.e2e_ms);
        if (auto t = tpot_ms(r)) s.tpot.push_back(*t);
        if (auto d = decode_tok_s(r)) s.decode_tok_s.push_back(*d);
        auto gaps = itl_ms(r);
        s.itl.insert(s.itl.end(), gaps.begin(), gaps.end());
    }
    return s;
}

}  // namespace bench::metrics
