#include "engine/runtime/generation_state.h"

#include "engine/tokenizer/tokenizer.h"

namespace tern {

GenerationState::GenerationState(const Tokenizer& tok, const GenerationParams& params,
                                 TokenCallback on_token, int prompt_tokens, Clock::time_point submitted)
    : tok_(tok), params_(params), on_token_(std::move(on_token)), sampler_(params.sampling) {
    result_.prompt_tokens = prompt_tokens;
    result_.submitted = submitted;
    result_.started = submitted;
}

void GenerationState::finish(StopReason why, std::string error) {
    finished_ = true;
    result_.stop = why;
    result_.error = std::move(error);
}

bool GenerationState::wants_token(const std::atomic<bool>* cancel) const {
    return !finished_ && static_cast<int>(result_.tokens.size()) < params_.max_tokens &&
           !(cancel && cancel->load(std::memory_order_relaxed));
}

std::optional<int32_t> GenerationState::step(std::span<const float> logits, const std::atomic<bool>* cancel,
                                             int64_t n_past, int64_t n_ctx) {
    return advance([&] { return sampler_.sample(logits); }, cancel, n_past, n_ctx);
}

std::optional<int32_t> GenerationState::step_drawn(int32_t drawn, const std::atomic<bool>* cancel, int64_t n_past,
                                                   int64_t n_ctx) {
    return advance([drawn] { return drawn; }, cancel, n_past, n_ctx);
}

template <class Pick>
std::optional<int32_t> GenerationState::advance(Pick&& pick, const std::atomic<bool>* cancel, int64_t n_past,
                                                int64_t n_ctx) {
    if (finished_) return std::nullopt;
    auto& r = result_;
    if (static_cast<int>(r.tokens.size()) >= params_.max_tokens) {
        finish(StopReason::MaxTokens);
        return std::nullopt;
    }
    if (cancel && cancel->load(std::memory_order_relaxed)) {
        finish(StopReason::Cancelled);
        return std::nullopt;
    }
    const int32_t id = pick();
    const Clock::time_point now = Clock::now();
    if (params_.stop_at_eog && tok_.is_end_of_generation(id)) {
        finish(StopReason::EndOfGeneration);
        return std::nullopt;
    }
    TokenEvent ev;
    ev.id = id;
    ev.piece = tok_.token_piece(id);
    ev.index = static_cast<int>(r.tokens.size());
    ev.time = now;
    r.tokens.push_back(id);
    r.token_times.push_back(now);
    r.text += ev.piece;
    if (ev.index == 0) r.first_token = now;
    r.last_token = now;
    if (on_token_) on_token_(ev);

    if (static_cast<int>(r.tokens.size()) >= params_.max_tokens) {
        finish(StopReason::MaxTokens);
        return std::nullopt;
    }
    if (cancel && cancel->load(std::memory_order_relaxed)) {
        finish(StopReason::Cancelled);
        return std::nullopt;
    }
    if (n_past + 1 > n_ctx) {
        finish(StopReason::ContextFull, "context full: " + std::to_string(n_past) + " + 1 tokens > n_ctx " +
                                            std::to_string(n_ctx));
        return std::nullopt;
    }
    return id;
}

}  // namespace tern
