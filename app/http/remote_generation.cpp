#include "app/http/remote_generation.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "app/metrics/metric_builder.h"
#include "app/workloads/forbidden_tokens.h"
#include "app/metrics/request_metrics.h"
#include "engine/gguf/gguf_file.h"
#include "engine/model/hparams.h"
#include "engine/runtime/session.h"
#include "engine/tokenizer/vocab.h"

namespace bench::http {

void ServerTimingsLog::add(tern::Clock::time_point submitted, const ServerTimings& t) {
    std::lock_guard lock(mu_);
    entries_.emplace_back(submitted, t);
}

void ServerTimingsLog::add_metrics(tbdb::RunRecord& run, tern::Clock::time_point t0) const {
    // A stored request's submit_ms is ms_between(t0, submitted): the same computation on the
    // same time point gives the same double, which tells measured requests from warm-up ones.
    std::set<double> measured;
    for (const auto& r : run.requests) measured.insert(r.submit_ms);
    std::vector<double> prompt_tok_s, decode_tok_s, prompt_ms, decode_ms_per_token;
    {
        std::lock_guard lock(mu_);
        for (const auto& [submitted, t] : entries_) {
            if (!measured.count(metrics::ms_between(t0, submitted))) continue;
            if (t.prompt_ms && t.prompt_n && *t.prompt_ms > 0) {
                prompt_ms.push_back(*t.prompt_ms);
                prompt_tok_s.push_back(*t.prompt_n / (*t.prompt_ms / 1000.0));
            }
            if (t.predicted_ms && t.predicted_n && *t.predicted_n > 0 && *t.predicted_ms > 0) {
                decode_ms_per_token.push_back(*t.predicted_ms / *t.predicted_n);
                decode_tok_s.push_back(*t.predicted_n / (*t.predicted_ms / 1000.0));
            }
        }
    }
    if (prompt_ms.empty() && decode_tok_s.empty()) return;  // the server reports no timings
    metrics::MetricBuilder mb(run.metrics);
    const std::string note = "server-reported (the server's own timings, not measured by ternbench)";
    auto add = [&](const std::string& name, const std::vector<double>& v, const std::string& unit) {
        mb.add_summary(name, v, unit);
        for (auto& m : run.metrics)
            if (m.name.rfind(name, 0) == 0 && m.note.find("server-reported") == std::string::npos)
                m.note = m.note.empty() ? note : note + "; " + m.note;
        run.samples.push_back({name, unit, v});
    };
    add("server_prompt_tok_s", prompt_tok_s, "tok/s");
    add("server_prompt_ms", prompt_ms, "ms");
    add("server_decode_tok_s", decode_tok_s, "tok/s");
    add("server_decode_ms_per_token", decode_ms_per_token, "ms");
}

nlohmann::json RemoteSetup::describe() const {
    return {{"over_http", true},
            {"endpoint", info.endpoint.url()},
            {"api", api_kind_name(info.api)},
            {"api_reason", info.api_reason},
            {"server_implementation", info.implementation},
            {"implementation_detected_by", info.implementation_reason},
            {"server_build", info.build},
            {"server_model_ftype", info.model_ftype},
            {"server_header", info.server_header},
            {"server_model_path", info.model_path},
            {"server_total_slots", info.total_slots},
            {"prompt_tokenizer", tokenizer ? "the model file's (ternbench)" : "the server's /tokenize"},
            {"forbidden_tokens_resolved", forbid_tokens.size()},
            {"timestamps", "client steady clock, on arrival of each token event"}};
}

std::unique_ptr<RemoteSetup> prepare_remote(const BenchmarkSpec& spec, const std::string& model_path,
                                            int server_threads) {
    auto rs = std::make_unique<RemoteSetup>();
    HttpLimits limits;
    limits.idle_timeout = std::chrono::milliseconds(int64_t(spec.request_timeout_s * 1000));
    Endpoint ep;
    try {
        ep = parse_endpoint(spec.endpoint);
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(e.what());
    }
    HttpLimits probe_limits = limits;
    probe_limits.idle_timeout = std::min(limits.idle_timeout, std::chrono::milliseconds(30000));
    rs->info = probe_endpoint(ep, spec.api, probe_limits);

    int64_t n_ctx = 0;
    if (!model_path.empty()) {
        const auto file = tern::GgufFile::open(model_path);
        auto vocab = tern::read_vocab(*file);
        rs->forbid_tokens = forbidden_token_ids(spec, &vocab);
        n_ctx = tern::default_context(tern::read_hparams(*file), spec.n_ctx);
        rs->tokenizer = tern::Tokenizer::create(std::move(vocab));
    } else {
        rs->forbid_tokens = forbidden_token_ids(spec, nullptr);
    }
    // The server's per-slot context when it says so (llama-server: n_ctx of the default settings).
    if (rs->info.props.is_object()) {
        const auto& p = rs->info.props;
        if (p.contains("default_generation_settings") && p["default_generation_settings"].is_object() &&
            p["default_generation_settings"].contains("n_ctx") && p["default_generation_settings"]["n_ctx"].is_number_integer()) {
            const int64_t server_ctx = p["default_generation_settings"]["n_ctx"].get<int64_t>();
            n_ctx = n_ctx > 0 ? std::min(n_ctx, server_ctx) : server_ctx;
        }
    }

    HttpSinkOptions so;
    so.endpoint = ep;
    so.api = rs->info.api;
    so.limits = limits;
    so.forbid_tokens = rs->forbid_tokens;
    so.on_timings = [log = rs->timings](tern::Clock::time_point submitted, const ServerTimings& t) {
        log->add(submitted, t);
    };
    rs->remote.open_sink = [so](int) -> std::unique_ptr<RequestSink> { return std::make_unique<HttpSink>(so); };
    rs->remote.n_ctx = n_ctx;
    rs->remote.server_threads = server_threads;
    if (rs->tokenizer) {
        rs->remote.tokenize = [tok = rs->tokenizer](const std::string& text) {
            return tok->encode(text, tok->vocab().add_bos);
        };
    } else {
        rs->remote.tokenize = [ep, probe_limits](const std::string& text) {
            return tokenize_remote(ep, text, /*add_special=*/true, probe_limits);
        };
    }
    return rs;
}

}  // namespace bench::http
