#include "app/workloads/forbidden_tokens.h"

#include <algorithm>
#include <string>

#include "app/core/input_error.h"

namespace bench {

std::vector<int32_t> byte_token_ids(const tern::Vocab& vocab) {
    std::vector<int32_t> ids;
    for (size_t i = 0; i < vocab.types.size(); ++i)
        if (vocab.types[i] == tern::TokenType::Byte) ids.push_back(int32_t(i));
    return ids;
}

std::vector<int32_t> forbidden_token_ids(const BenchmarkSpec& spec, const tern::Vocab* vocab) {
    std::vector<int32_t> ids = spec.forbid_tokens;
    if (vocab) {
        const auto n_vocab = int64_t(vocab->tokens.size());
        for (int32_t id : ids)
            if (id < 0 || id >= n_vocab)
                throw InputError("--forbid-tokens: token id " + std::to_string(id) +
                                 " is outside the model's vocabulary of " + std::to_string(n_vocab) + " tokens");
        if (spec.forbid_byte_tokens) {
            const auto bytes = byte_token_ids(*vocab);
            ids.insert(ids.end(), bytes.begin(), bytes.end());
        }
    } else if (spec.forbid_byte_tokens) {
        throw InputError("--forbid-byte-tokens needs --model (the byte tokens are read from its vocabulary)");
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

}  // namespace bench
