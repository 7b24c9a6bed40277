#include "app/reports/key_figures.h"

namespace bench {

const KeyFigureInfo& key_figure_info(KeyFigure f) {
    static const KeyFigureInfo infos[kKeyFigureCount] = {
        {"Throughput", "tok/s", {"output_tok_s", "tok_s", "tok_s_mean", "decode_tok_s", "goodput_tok_s", "gops"}},
        {"Latency p50", "ms", {"e2e_ms_p50", "latency_ms_p50", "load_ms_cold", "load_ms"}},
        {"Latency p95", "ms", {"e2e_ms_p95", "latency_ms_p95"}},
        {"TTFT p50", "ms", {"ttft_ms_p50"}},
        {"PPL", "", {"ppl"}},
        {"Mean KLD", "nats", {"kld_mean"}},
    };
    return infos[static_cast<int>(f)];
}

std::optional<double> key_figure(const std::vector<tbdb::Metric>& metrics, KeyFigure f) {
    for (const std::string& name : key_figure_info(f).candidates)
        if (const tbdb::Metric* m = tbdb::find_metric(metrics, name); m && m->value) return m->value;
    return std::nullopt;
}

}  // namespace bench
