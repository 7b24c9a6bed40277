#pragma once
// The token ids a run forbids: --forbid-tokens plus, with --forbid-byte-tokens, the
// vocabulary's byte tokens. One list for both sides of a comparison: in-process it becomes the
// sampler's logit_bias (id, -inf), over HTTP logit_bias [[id, false], ...].
#include <cstdint>
#include <vector>

#include "app/core/benchmark_spec.h"
#include "engine/tokenizer/vocab.h"

namespace bench {

// The vocabulary's byte tokens (type Byte), in id order.
std::vector<int32_t> byte_token_ids(const tern::Vocab& vocab);

// Sorted and unique. `vocab` may be null (a server's own tokenizer): then --forbid-byte-tokens
// cannot be resolved and ids are not range-checked. Throws InputError naming the flag and the
// id when an id lies outside the vocabulary, or byte tokens are asked for without one.
std::vector<int32_t> forbidden_token_ids(const BenchmarkSpec& spec, const tern::Vocab* vocab);

}  // namespace bench
