#pragma once
// The per-sequence part of generation shared by generate() (one sequence) and the Scheduler
// (many): sample from the logits, report the token, decide whether to go on. Keeping it in one
// place makes batched and single-sequence generation produce the same tokens.
#include <atomic>
#include <optional>
#include <span>

#include "engine/runtime/generate.h"

namespace tern {

class Tokenizer;

class GenerationState {
public:
    GenerationState(const Tokenizer& tok, const GenerationParams& params, TokenCallback on_token,
                    int prompt_tokens, Clock::time_point submitted);

    // Marks the start of prefill (admission to a batch; the constructor assumes `submitted`).
    void prefill_started() { result_.started = Clock::now(); }
    // Marks the end of prefill (or of a failed prefill).
    void prefill_done() { result_.prefill_done = Clock::now(); }

    // Called with the logits of the sequence's last position. Returns the token to evaluate
    // next, or nullopt once generation is over (result().stop says why). n_past / n_ctx are
    // the sequence's cache fill and size, to stop with ContextFull before overflowing.
    std::optional<int32_t> step(std::span<const float> logits, const std::atomic<bool>* cancel,
                                int64_t n_past, int64_t n_ctx);

    // step() in two halves, so that many sequences can sample on many threads while their
    // tokens are still reported from one: draw() only samples (it touches this state's sampler
    // and nothing else, so states may draw concurrently), step_drawn() does the rest of step()
    // with the drawn token. wants_token() says whether step() would sample at all.
    bool wants_token(const std::atomic<bool>* cancel) const;
    int32_t draw(std::span<const float> logits) { return sampler_.sample(logits); }
    std::optional<int32_t> step_drawn(int32_t drawn, const std::atomic<bool>* cancel, int64_t n_past, int64_t n_ctx);

    // Ends generation before any step (cancelled while queued, prefill failure).
    void finish(StopReason why, std::string error = {});
    bool finished() const { return finished_; }
    GenerationResult& result() { return result_; }

private:
    template <class Pick>
    std::optional<int32_t> advance(Pick&& pick, const std::atomic<bool>* cancel, int64_t n_past, int64_t n_ctx);

    const Tokenizer& tok_;
    GenerationParams params_;
    TokenCallback on_token_;
    Sampler sampler_;
    GenerationResult result_;
    bool finished_ = false;
};

}  // namespace tern
