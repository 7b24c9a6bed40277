#pragma once
// Generation on one Session: prefill the prompt, then sample and decode token by token,
// reporting each token with a monotonic timestamp.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "engine/runtime/sampler.h"

namespace tern {

class Session;
using Clock = std::chrono::steady_clock;

struct TokenEvent {
    int32_t id = 0;
    std::string piece;       // text bytes of the token
    int index = 0;           // 0 = first generated token
    Clock::time_point time;  // when the token became available
};

struct GenerationParams {
    int max_tokens = 100;
    SamplerParams sampling;
    bool stop_at_eog = true;  // stop at EOS / EOT
};

enum class StopReason { MaxTokens, EndOfGeneration, Cancelled, ContextFull, Error };

struct GenerationResult {
    std::vector<int32_t> tokens;  // generated ids (without the prompt)
    std::string text;
    int prompt_tokens = 0;
    StopReason stop = StopReason::MaxTokens;
    std::string error;            // set when stop == Error
    Clock::time_point submitted, prefill_done, first_token, last_token;
    Clock::time_point started;  // prefill began (the Scheduler: admitted to a batch; else = submitted)
    std::vector<Clock::time_point> token_times;  // one per generated token
};

using TokenCallback = std::function<void(const TokenEvent&)>;

// `submitted` defaults to now. `cancel` is polled between tokens.
GenerationResult generate(Session& session, std::span<const int32_t> prompt,
                          const GenerationParams& params, const TokenCallback& on_token = {},
                          const std::atomic<bool>* cancel = nullptr,
                          Clock::time_point submitted = Clock::now());

const char* stop_reason_name(StopReason r);

}  // namespace tern
