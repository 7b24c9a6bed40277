// `perplexity`: llama-perplexity's method (FORMATS.md section 8) through the engine's batched
// prefill: each chunk of ctx tokens is one eval with logits for every position, from an empty
// cache, its first token replaced by BOS; positions ctx/2 .. ctx-2 score the next token.
// Optionally compares every scored position with a KL base file (streamed record by record)
// or writes one in llama-perplexity's layout.
#include <chrono>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "app/core/engine_options.h"
#include "app/core/input_error.h"
#include "app/fidelity/kl_base_file.h"
#include "app/fidelity/perplexity_stats.h"
#include "app/fidelity/perplexity_text.h"
#include "app/metrics/metric_builder.h"
#include "app/system/sha256.h"
#include "app/workloads/workload_common.h"
#include "engine/runtime/session.h"

namespace bench {
namespace {

std::string fmt(double v, int digits) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

// The base must hold the tokens this model makes of the text (at least as many as we score).
void check_base_tokens(const KlBaseReader& base, const PerplexityPlan& plan, const std::string& text_name) {
    const size_t n = std::min(base.tokens().size(), plan.tokens.size());
    for (size_t i = 0; i < n; ++i)
        if (base.tokens()[i] != plan.tokens[i])
            throw InputError("KL base " + base.path() + " holds other tokens than this model makes of " + text_name +
                             ": token " + std::to_string(i) + " is " + std::to_string(base.tokens()[i]) +
                             " in the base and " + std::to_string(plan.tokens[i]) +
                             " here (another text, or another tokenizer)");
}

}  // namespace

void run_perplexity(WorkloadContext& ctx) {
    const BenchmarkSpec& spec = ctx.spec;
    const auto& tok = ctx.model->tokenizer();
    const int32_t n_vocab = tok.n_vocab();
    const int64_t n_ctx_train = ctx.model->hparams().n_ctx_train;
    int32_t n_ctx = spec.effective_ppl_ctx();

    std::unique_ptr<KlBaseReader> base;
    if (!spec.kl_base.empty()) {
        ctx.events.progress("reading KL base", 0, 0);
        base = std::make_unique<KlBaseReader>(spec.kl_base);
        const auto& h = base->header();
        if (h.n_vocab != n_vocab)
            throw InputError("KL base " + spec.kl_base + " was made with a vocabulary of " + std::to_string(h.n_vocab) +
                             " tokens, this model has " + std::to_string(n_vocab));
        if (spec.ppl_ctx > 0 && spec.ppl_ctx != h.n_ctx)
            throw InputError("KL base " + spec.kl_base + " was made with ctx " + std::to_string(h.n_ctx) +
                             ", --ctx asks for " + std::to_string(spec.ppl_ctx));
        n_ctx = h.n_ctx;  // the base fixes the chunking
    }
    if (n_ctx_train > 0 && n_ctx > n_ctx_train)
        throw std::runtime_error("ctx " + std::to_string(n_ctx) + " is larger than the model's context of " +
                                 std::to_string(n_ctx_train) + " tokens");

    // The text: a file, the built-in one, or (KL base without --text) the base's own tokens.
    const bool text_given = !spec.text_file.empty();
    std::string text_name = text_given ? spec.text_file : "the built-in text";
    PerplexityPlan plan;
    std::string text_sha;
    if (base && !text_given) {
        text_name = "the KL base's tokens";
        plan.n_ctx = n_ctx;
        plan.add_bos = tok.vocab().add_bos && tok.vocab().bos_id.has_value();
        if (plan.add_bos) plan.bos = *tok.vocab().bos_id;
        plan.tokens = base->tokens();
        plan.n_chunk = base->header().n_chunk;
        if (spec.ppl_chunks > 0) plan.n_chunk = std::min(plan.n_chunk, spec.ppl_chunks);
        for (int32_t t : plan.tokens)
            if (t < 0 || t >= n_vocab)
                throw InputError("KL base " + spec.kl_base + " holds token id " + std::to_string(t) +
                                 ", outside this model's vocabulary of " + std::to_string(n_vocab));
    } else {
        ctx.events.progress("tokenizing", 0, 0);
        const std::string text = text_given ? load_perplexity_text(spec.text_file) : default_perplexity_text();
        text_sha = sys::sha256_hex(text);
        plan = plan_perplexity(tok, text, text_name, n_ctx, spec.ppl_chunks);
        if (base) {
            plan.n_chunk = std::min(plan.n_chunk, base->header().n_chunk);
            check_base_tokens(*base, plan, text_name);
        }
    }

    // What identifies the evaluation (two runs compare only on the same tokens and ctx).
    auto cfg = nlohmann::json::parse(ctx.run.config_json, nullptr, false);
    if (cfg.is_object()) {
        cfg["text"] = text_name;
        if (!text_sha.empty()) cfg["text_sha256"] = text_sha;
        cfg["text_tokens"] = plan.tokens.size();
        cfg["ppl_ctx"] = n_ctx;
        cfg["n_chunk"] = plan.n_chunk;
        ctx.run.config_json = cfg.dump();
    }

    std::unique_ptr<KlBaseWriter> writer;
    if (!spec.write_kl_base.empty()) {
        KlBaseHeader h{n_ctx, n_vocab, plan.n_chunk};
        writer = std::make_unique<KlBaseWriter>(
            spec.write_kl_base, h,
            std::span<const int32_t>(plan.tokens.data(), size_t(n_ctx) * size_t(plan.n_chunk)));
    }

    tern::SessionOptions so = session_options(spec, ctx.threads);
    so.n_ctx = n_ctx;   // one chunk: --n-ctx does not apply
    tern::Session session(ctx.model, so);

    NllAccumulator nll;
    KlAccumulator kl;
    // PPL of each chunk alone (independent samples; llama-perplexity prints the running value).
    tbdb::SampleSeries chunk_ppl{"chunk_ppl", "", {}}, chunk_tok_s{"chunk_tok_s", "tok/s", {}};
    std::vector<uint16_t> record(size_t(KlBaseHeader{n_ctx, n_vocab, 1}.record_u16()));
    std::vector<int32_t> batch(static_cast<size_t>(n_ctx));
    double eval_s = 0;
    int32_t done = 0;
    std::string printed;  // "[1]72661.1657,[2]..." as llama-perplexity prints it
    for (int32_t c = 0; c < plan.n_chunk && !ctx.cancelled(); ++c) {
        ctx.events.progress("chunk " + std::to_string(c + 1) + "/" + std::to_string(plan.n_chunk), c, plan.n_chunk);
        const int32_t* chunk = plan.tokens.data() + size_t(c) * size_t(n_ctx);
        std::copy(chunk, chunk + n_ctx, batch.begin());
        if (plan.add_bos) batch[0] = plan.bos;
        session.reset();
        const auto t0 = std::chrono::steady_clock::now();
        const auto logits = session.eval(batch, true);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        eval_s += s;
        ctx.events.count_tokens(n_ctx);
        chunk_tok_s.values.push_back(n_ctx / s);
        NllAccumulator this_chunk;
        for (int64_t i = plan.first(); i < n_ctx - 1; ++i) {
            const std::span<const float> row(logits.data() + size_t(i) * size_t(n_vocab), size_t(n_vocab));
            const int32_t next = chunk[i + 1];
            double v;
            if (writer) {
                v = encode_log_probs(row, next, record);
                writer->write_record(record);
            } else {
                v = token_nll(row, next);
            }
            nll.add(v);
            this_chunk.add(v);
            if (base) {
                base->next_record(record);
                kl.add(compare_with_base(row, next, record));
            }
        }
        chunk_ppl.values.push_back(this_chunk.ppl());
        printed += "[" + std::to_string(c + 1) + "]" + fmt(nll.ppl(), 4) + ",";
        ++done;
    }
    ctx.events.progress("done", done, plan.n_chunk);
    if (!printed.empty()) ctx.events.log(printed);
    if (writer && done == plan.n_chunk) writer->finish();

    metrics::MetricBuilder mb(ctx.run.metrics);
    if (nll.count() > 0) {
        mb.add("ppl", nll.ppl(), "", nll.count(), "exp(mean NLL) over the scored tokens (llama-perplexity's method)");
        mb.add("ppl_err", nll.ppl_err(), "", nll.count(), "PPL x sqrt(var(NLL) / (n - 1)), as llama-perplexity prints it");
        mb.add("nll_mean", nll.mean(), "nats", nll.count());
    }
    mb.add("scored_tokens", double(nll.count()), "tokens", nll.count(), "positions ctx/2 .. ctx-2 of every chunk");
    mb.add("n_chunks", double(done), "chunks", done);
    if (eval_s > 0)
        mb.add("tok_s", double(done) * n_ctx / eval_s, "tok/s", done,
               "evaluated tokens (ctx x chunks) / time of the batched prefills");
    if (base) kl.add_metrics(ctx.run.metrics);
    ctx.run.samples.push_back(std::move(chunk_ppl));
    ctx.run.samples.push_back(std::move(chunk_tok_s));
}

}  // namespace bench
