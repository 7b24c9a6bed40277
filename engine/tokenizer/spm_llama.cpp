#include "engine/tokenizer/spm_llama.h"

#include <algorithm>
#include <optional>

#include "engine/base/error.h"
#include "engine/tokenizer/symbol_merge.h"
#include "engine/tokenizer/utf8.h"

namespace tern {
namespace {

constexpr std::string_view kSpaceMarker = "\xE2\x96\x81";  // U+2581 LOWER ONE EIGHTH BLOCK

std::string byte_token_text(uint8_t b) {
    static constexpr char hex[] = "0123456789ABCDEF";
    return std::string{'<', '0', 'x', hex[b >> 4], hex[b & 15], '>'};
}

// The byte a "<0xNN>" token stands for (either hex case), or nullopt.
std::optional<uint8_t> parse_byte_token(std::string_view t) {
    if (t.size() != 6 || t.substr(0, 3) != "<0x" || t[5] != '>') return std::nullopt;
    const auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    const int hi = nibble(t[3]), lo = nibble(t[4]);
    if (hi < 0 || lo < 0) return std::nullopt;
    return static_cast<uint8_t>(hi * 16 + lo);
}

std::string replace_all(std::string_view s, std::string_view from, std::string_view to) {
    std::string out;
    out.reserve(s.size());
    size_t pos = 0;
    while (true) {
        const size_t hit = s.find(from, pos);
        if (hit == std::string_view::npos) break;
        out.append(s.substr(pos, hit - pos)).append(to);
        pos = hit + from.size();
    }
    out.append(s.substr(pos));
    return out;
}

}  // namespace

SpmLlamaTokenizer::SpmLlamaTokenizer(Vocab vocab) : Tokenizer(std::move(vocab)), index_(vocab_.tokens, TextIndex::Duplicates::KeepLast) {
    for (int b = 0; b < 256; ++b) {
        // llama.cpp's order: the <0xNN> token, else a token that is the byte itself.
        auto id = index_.find(byte_token_text(static_cast<uint8_t>(b)));
        if (!id) id = index_.find(std::string(1, static_cast<char>(b)));
        byte_token_[static_cast<size_t>(b)] = id ? *id : -1;
    }
}

std::vector<int32_t> SpmLlamaTokenizer::encode(std::string_view text, bool add_bos) const {
    std::vector<int32_t> out;
    if (add_bos) out.push_back(require_bos());
    if (text.empty()) return out;  // no prefix either: an empty text has no tokens
    std::string escaped;
    escaped.reserve(text.size() + 8);
    if (vocab_.add_space_prefix) escaped.append(kSpaceMarker);
    escaped += replace_all(text, " ", kSpaceMarker);
    encode_escaped(escaped, out);
    return out;
}

void SpmLlamaTokenizer::encode_escaped(std::string_view text, std::vector<int32_t>& out) const {
    // One symbol per UTF-8 character. Each byte of malformed UTF-8 is a symbol of its own
    // (it falls back to its byte token), so a truncated sequence never swallows the next
    // character; llama.cpp would clamp by the lead byte instead, which only differs on
    // invalid input and there loses the round trip.
    std::vector<merge::Symbol> syms = merge::split_units(text, [](std::string_view t, size_t pos) {
        return std::max<size_t>(1, utf8::valid_sequence_length(t, pos));
    });
    // A pair merges when the joined text is a token; highest score first.
    merge::merge_pairs<float>(
        syms,
        [&](const merge::Symbol& l, const merge::Symbol& r) -> std::optional<float> {
            auto id = index_.find(text.substr(l.start, l.len + r.len));
            if (!id || !can_come_from_text(*id)) return std::nullopt;
            return vocab_.scores.empty() ? 0.0f : vocab_.scores[static_cast<size_t>(*id)];
        },
        [](float a, float b) { return a > b; });

    for (int32_t i = syms.empty() ? -1 : 0; i >= 0; i = syms[static_cast<size_t>(i)].next) {
        const auto& s = syms[static_cast<size_t>(i)];
        const std::string_view piece = text.substr(s.start, s.len);
        if (auto id = index_.find(piece); id && can_come_from_text(*id))
            out.push_back(*id);
        else
            append_bytes(piece, out);
    }
}

void SpmLlamaTokenizer::append_bytes(std::string_view bytes, std::vector<int32_t>& out) const {
    for (char c : bytes) {
        const int32_t id = byte_token_[static_cast<uint8_t>(c)];
        if (id >= 0)
            out.push_back(id);
        else if (vocab_.unk_id)
            out.push_back(*vocab_.unk_id);
        // else: the vocabulary cannot express this byte at all; it is dropped.
    }
}

std::string SpmLlamaTokenizer::token_piece(int32_t id) const {
    check_id(id);
    const std::string& text = vocab_.tokens[static_cast<size_t>(id)];
    // Without token types, "<0xNN>" spellings are taken as byte tokens.
    const TokenType type = vocab_.types.empty()
                               ? (parse_byte_token(text) ? TokenType::Byte : TokenType::Normal)
                               : vocab_.types[static_cast<size_t>(id)];
    switch (type) {
        case TokenType::Normal: return replace_all(text, kSpaceMarker, " ");
        case TokenType::UserDefined: return text;
        case TokenType::Byte:
            if (auto b = parse_byte_token(text)) return std::string(1, static_cast<char>(*b));
            return text;  // a byte token spelled as the byte itself
        default: return {};  // control, unknown, unused: rendered as nothing
    }
}

}  // namespace tern
