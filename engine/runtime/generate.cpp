#include "engine/runtime/generate.h"

#include "engine/base/error.h"
#include "engine/runtime/generation_state.h"
#include "engine/runtime/session.h"

namespace tern {

const char* stop_reason_name(StopReason r) {
    switch (r) {
        case StopReason::MaxTokens: return "max_tokens";
        case StopReason::EndOfGeneration: return "end_of_generation";
        case StopReason::Cancelled: return "cancelled";
        case StopReason::ContextFull: return "context_full";
        case StopReason::Error: return "error";
    }
    return "unknown";
}

GenerationResult generate(Session& session, std::span<const int32_t> prompt, const GenerationParams& params,
                          const TokenCallback& on_token, const std::atomic<bool>* cancel,
                          Clock::time_point submitted) {
    GenerationState st(session.model().tokenizer(), params, on_token, static_cast<int>(prompt.size()), submitted);
    try {
        if (prompt.empty()) throw Error("generate: the prompt has no tokens");
        const int64_t n = static_cast<int64_t>(prompt.size());
        if (session.n_past() + n > session.n_ctx()) {
            st.prefill_done();
            st.finish(StopReason::ContextFull, "context full: " + std::to_string(session.n_past()) + " + " +
                                                   std::to_string(n) + " tokens > n_ctx " +
                                                   std::to_string(session.n_ctx()));
            return std::move(st.result());
        }
        std::span<const float> logits = session.eval(prompt);
        st.prefill_done();
        while (auto next = st.step(logits, cancel, session.n_past(), session.n_ctx())) {
            const int32_t id = *next;
            logits = session.eval(std::span<const int32_t>(&id, 1));
        }
    } catch (const Error& e) {
        st.finish(StopReason::Error, e.what());
    }
    return std::move(st.result());
}

}  // namespace tern
