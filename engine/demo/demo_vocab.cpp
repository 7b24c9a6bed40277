#include "engine/demo/demo_vocab.h"

#include <cstdio>
#include <string_view>
#include <unordered_set>

#include "engine/base/error.h"

namespace tern::demo {

namespace {

constexpr std::string_view kConsonants = "bdfghklmnprstvz";
constexpr std::string_view kVowels = "aeiou";
constexpr std::string_view kFinals = "nrs";

// Syllables C V and C V F: every one starts with a consonant followed by a vowel, so a
// concatenation of two syllables splits back in exactly one way (no duplicate pieces).
std::vector<std::string> syllables() {
    std::vector<std::string> out;
    for (char c : kConsonants)
        for (char v : kVowels) out.push_back({c, v});
    for (char c : kConsonants)
        for (char v : kVowels)
            for (char f : kFinals) out.push_back({c, v, f});
    return out;
}

// Emits filler pieces in order, each with the two existing pieces it is made of, until
// `count` pieces exist. `space` is the word-start marker ("\u2581" or "\u0120").
template <typename Emit>
void generate_pieces(int64_t count, const std::string& space, Emit&& emit) {
    int64_t made = 0;
    auto put = [&](const std::string& left, const std::string& right) {
        if (made >= count) return false;
        emit(left, right);
        ++made;
        return true;
    };
    const auto syl = syllables();
    for (const auto& s : syl)  // syllables from single letters (CV, then CV + final)
        if (!put(s.size() == 2 ? s.substr(0, 1) : s.substr(0, 2), s.size() == 2 ? s.substr(1) : s.substr(2)))
            return;
    for (const auto& s : syl)
        if (!put(space, s)) return;
    // Two-syllable words in a scrambled but fixed order, each spaced and plain.
    const int64_t n = static_cast<int64_t>(syl.size());
    const int64_t pairs = n * n;
    constexpr int64_t kStride = 7919;  // prime, coprime with n*n = 90000
    for (int64_t k = 0; k < pairs; ++k) {
        const int64_t idx = (k * kStride) % pairs;
        const auto& a = syl[static_cast<size_t>(idx / n)];
        const auto& b = syl[static_cast<size_t>(idx % n)];
        if (!put(space + a, b)) return;
        if (!put(a, b)) return;
    }
    // Three-syllable words if a vocabulary is larger still.
    for (int64_t k = 0; made < count && k < pairs * n; ++k) {
        const int64_t idx = (k * kStride) % (pairs * n);
        const auto& a = syl[static_cast<size_t>(idx / pairs)];
        const auto& b = syl[static_cast<size_t>(idx / n % n)];
        const auto& c = syl[static_cast<size_t>(idx % n)];
        if (!put(space + a + b, c)) return;
        if (!put(a + b, c)) return;
    }
    if (made < count) throw Error("demo vocabulary: cannot make " + std::to_string(count) + " pieces");
}

// GPT-2's byte -> printable unicode map: printable Latin-1 bytes map to themselves, the
// others to U+0100 upwards, in byte order.
std::vector<std::string> gpt2_byte_symbols_in_vocab_order() {
    auto utf8 = [](unsigned cp) {
        std::string s;
        if (cp < 0x80) {
            s += char(cp);
        } else {
            s += char(0xC0 | (cp >> 6));
            s += char(0x80 | (cp & 0x3F));
        }
        return s;
    };
    std::vector<std::string> out;
    std::vector<bool> printable(256, false);
    for (unsigned b = '!'; b <= '~'; ++b) printable[b] = true;
    for (unsigned b = 0xA1; b <= 0xAC; ++b) printable[b] = true;
    for (unsigned b = 0xAE; b <= 0xFF; ++b) printable[b] = true;
    for (unsigned b = 0; b < 256; ++b)
        if (printable[b]) out.push_back(utf8(b));
    unsigned next = 256;
    for (unsigned b = 0; b < 256; ++b)
        if (!printable[b]) out.push_back(utf8(next++));
    return out;
}

}  // namespace

DemoVocab make_spm_vocab(int64_t n_vocab) {
    const int64_t fixed = 3 + 256;
    const std::string space = "\xE2\x96\x81";  // U+2581
    DemoVocab v;
    v.tokens = {"<unk>", "<s>", "</s>"};
    v.token_types = {2, 3, 3};
    v.unk_id = 0;
    v.bos_id = 1;
    v.eos_id = 2;
    char buf[8];
    for (int b = 0; b < 256; ++b) {
        std::snprintf(buf, sizeof buf, "<0x%02X>", b);
        v.tokens.emplace_back(buf);
        v.token_types.push_back(6);
    }
    v.scores.assign(v.tokens.size(), 0.0f);
    // Single pieces as in llama vocabularies: the space marker and printable ASCII.
    std::vector<std::string> singles = {space};
    for (char c = '!'; c <= '~'; ++c) singles.emplace_back(1, c);
    if (n_vocab < fixed + static_cast<int64_t>(singles.size()))
        throw Error("demo vocabulary: " + std::to_string(n_vocab) + " tokens is too small");
    v.tokens.reserve(static_cast<size_t>(n_vocab));
    for (const auto& s : singles) v.tokens.push_back(s);
    std::unordered_set<std::string> seen(v.tokens.begin(), v.tokens.end());
    generate_pieces(n_vocab - static_cast<int64_t>(v.tokens.size()), space,
                    [&](const std::string& l, const std::string& r) {
                        std::string piece = l + r;
                        if (!seen.insert(piece).second) throw Error("demo vocabulary: duplicate piece " + piece);
                        v.tokens.push_back(std::move(piece));
                    });
    for (size_t i = v.scores.size(); i < v.tokens.size(); ++i) {
        v.scores.push_back(-static_cast<float>(i - fixed));
        v.token_types.push_back(1);
    }
    v.quiet.assign(v.tokens.size(), false);
    for (size_t i = 0; i < static_cast<size_t>(fixed); ++i) v.quiet[i] = true;
    return v;
}

DemoVocab make_gpt2_vocab(int64_t n_vocab) {
    const std::vector<std::string> specials = {"<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>"};
    if (n_vocab < 256 + static_cast<int64_t>(specials.size()) + 16)
        throw Error("demo vocabulary: " + std::to_string(n_vocab) + " tokens is too small");
    DemoVocab v;
    v.tokens = gpt2_byte_symbols_in_vocab_order();
    v.tokens.reserve(static_cast<size_t>(n_vocab));
    std::unordered_set<std::string> seen(v.tokens.begin(), v.tokens.end());
    const std::string space = "\xC4\xA0";  // U+0120, GPT-2's symbol for the byte ' '
    generate_pieces(n_vocab - 256 - static_cast<int64_t>(specials.size()), space,
                    [&](const std::string& l, const std::string& r) {
                        std::string piece = l + r;
                        if (!seen.insert(piece).second) throw Error("demo vocabulary: duplicate piece " + piece);
                        v.tokens.push_back(std::move(piece));
                        v.merges.push_back(l + " " + r);
                    });
    v.token_types.assign(v.tokens.size(), 1);
    // Byte symbols past '~' (index 94 on) stand for non-ASCII and control bytes, except
    // the one for ' ' (U+0120), which starts words.
    v.quiet.assign(v.tokens.size(), false);
    for (size_t i = 94; i < 256; ++i) v.quiet[i] = v.tokens[i] != space;
    v.bos_id = static_cast<int32_t>(v.tokens.size());
    v.eos_id = v.bos_id + 1;
    for (const auto& s : specials) {
        v.tokens.push_back(s);
        v.token_types.push_back(3);
        v.quiet.push_back(true);
    }
    return v;
}

}  // namespace tern::demo
