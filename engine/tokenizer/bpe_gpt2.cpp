#include "engine/tokenizer/bpe_gpt2.h"

#include <queue>

#include "engine/runtime/error.h"
#include "engine/tokenizer/byte_alphabet.h"

namespace tern {
namespace {

uint64_t pair_key(int32_t left, int32_t right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) |
           static_cast<uint32_t>(right);
}

TokenType type_of(const Vocab& v, size_t id) {
    return v.types.empty() ? TokenType::Normal : v.types[id];
}

}  // namespace

BpeGpt2Tokenizer::BpeGpt2Tokenizer(Vocab vocab) : Tokenizer(std::move(vocab)) {
    pretokenizer_ = std::make_unique<Pretokenizer>(pretokenizer_rules(vocab_.pre));

    const auto& tokens = vocab_.tokens;
    symbol_of_text_.reserve(tokens.size() + vocab_.merges.size() / 8);
    for (size_t i = 0; i < tokens.size(); ++i) symbol_of_text_[tokens[i]] = static_cast<int32_t>(i);

    merges_.reserve(vocab_.merges.size());
    for (size_t rank = 0; rank < vocab_.merges.size(); ++rank) {
        const std::string& m = vocab_.merges[rank];
        // The alphabet has no raw space, so the separator is the first space after the first
        // character (llama.cpp searches from index 1 too).
        const size_t sep = m.size() > 1 ? m.find(' ', 1) : std::string::npos;
        if (sep == std::string::npos || sep + 1 >= m.size())
            throw FormatError("tokenizer.ggml.merges[" + std::to_string(rank) + "] = '" + m +
                              "' is not two symbols separated by a space");
        const std::string_view left(m.data(), sep), right(m.data() + sep + 1, m.size() - sep - 1);
        const int32_t l = intern(left), r = intern(right);
        std::string merged;
        merged.reserve(left.size() + right.size());
        merged.append(left).append(right);
        const int32_t result = intern(merged);
        merges_.try_emplace(pair_key(l, r), Merge{static_cast<int32_t>(rank), result});  // first rank wins
    }
    for (int b = 0; b < 256; ++b) byte_symbol_[b] = intern(byte_alphabet::char_for_byte(static_cast<uint8_t>(b)));

    pieces_.resize(tokens.size());
    for (size_t i = 0; i < tokens.size(); ++i) {
        switch (type_of(vocab_, i)) {
            case TokenType::Normal: pieces_[i] = byte_alphabet::decode(tokens[i]); break;
            case TokenType::UserDefined: pieces_[i] = tokens[i]; break;
            default: break;  // control, unknown, unused, byte: rendered as nothing
        }
    }
}

BpeGpt2Tokenizer::~BpeGpt2Tokenizer() = default;

int32_t BpeGpt2Tokenizer::intern(std::string_view text) {
    if (auto it = symbol_of_text_.find(text); it != symbol_of_text_.end()) return it->second;
    const auto id = static_cast<int32_t>(vocab_.tokens.size() + extra_symbols_.size());
    extra_symbols_.emplace_back(text);
    symbol_of_text_.emplace(std::string(text), id);
    return id;
}

std::vector<int32_t> BpeGpt2Tokenizer::encode(std::string_view text, bool add_bos) const {
    std::vector<int32_t> out;
    out.reserve(text.size() / 3 + 2);
    if (add_bos) out.push_back(require_bos());
    for (std::string_view word : pretokenizer_->split(text)) encode_word(word, out);
    return out;
}

void BpeGpt2Tokenizer::encode_word(std::string_view word, std::vector<int32_t>& out) const {
    const auto n_vocab = static_cast<int32_t>(vocab_.tokens.size());
    if (pretokenizer_->rules().ignore_merges) {
        // Llama-3 (ignore_merges): a word that is a token as a whole is taken as is.
        const std::string mapped = byte_alphabet::encode(word);
        if (auto it = symbol_of_text_.find(mapped); it != symbol_of_text_.end() && it->second < n_vocab) {
            out.push_back(it->second);
            return;
        }
    }

    // One symbol per byte; a symbol always covers a contiguous byte range of the word.
    struct Symbol {
        int32_t id;
        int32_t prev, next;  // -1 at the ends
        int32_t start, len;  // byte range in the word; len 0 once merged into its left
    };
    const auto n = static_cast<int32_t>(word.size());
    std::vector<Symbol> syms(static_cast<size_t>(n));
    for (int32_t i = 0; i < n; ++i)
        syms[static_cast<size_t>(i)] = {byte_symbol_[static_cast<uint8_t>(word[static_cast<size_t>(i)])],
                                        i - 1, i + 1 < n ? i + 1 : -1, i, 1};

    struct Candidate {
        int32_t rank, left, right, left_id, right_id;
    };
    // Lowest rank first, leftmost on ties.
    const auto later = [](const Candidate& a, const Candidate& b) {
        return a.rank > b.rank || (a.rank == b.rank && a.left > b.left);
    };
    std::priority_queue<Candidate, std::vector<Candidate>, decltype(later)> queue(later);
    const auto consider = [&](int32_t left, int32_t right) {
        if (left < 0 || right < 0) return;
        const auto& l = syms[static_cast<size_t>(left)];
        const auto& r = syms[static_cast<size_t>(right)];
        auto it = merges_.find(pair_key(l.id, r.id));
        if (it != merges_.end()) queue.push({it->second.rank, left, right, l.id, r.id});
    };
    for (int32_t i = 0; i + 1 < n; ++i) consider(i, i + 1);

    while (!queue.empty()) {
        const Candidate c = queue.top();
        queue.pop();
        auto& l = syms[static_cast<size_t>(c.left)];
        auto& r = syms[static_cast<size_t>(c.right)];
        // Stale when either side was merged since this pair was queued.
        if (l.len == 0 || r.len == 0 || l.next != c.right || l.id != c.left_id || r.id != c.right_id)
            continue;
        l.id = merges_.at(pair_key(c.left_id, c.right_id)).result;
        l.len += r.len;
        r.len = 0;
        l.next = r.next;
        if (r.next >= 0) syms[static_cast<size_t>(r.next)].prev = c.left;
        consider(l.prev, c.left);
        consider(c.left, l.next);
    }

    for (int32_t i = 0; i >= 0 && i < n; i = syms[static_cast<size_t>(i)].next) {
        const auto& s = syms[static_cast<size_t>(i)];
        if (s.id < n_vocab) {
            out.push_back(s.id);
            continue;
        }
        // Not a token (merges can produce texts the vocabulary lacks): its bytes one by one.
        for (int32_t k = s.start; k < s.start + s.len; ++k) {
            const int32_t b = byte_symbol_[static_cast<uint8_t>(word[static_cast<size_t>(k)])];
            if (b < n_vocab)
                out.push_back(b);
            else if (vocab_.unk_id)
                out.push_back(*vocab_.unk_id);
            // else: the vocabulary cannot express this byte at all; it is dropped.
        }
    }
}

std::string BpeGpt2Tokenizer::token_piece(int32_t id) const {
    check_id(id);
    return pieces_[static_cast<size_t>(id)];
}

}  // namespace tern
