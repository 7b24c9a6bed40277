#define PCRE2_CODE_UNIT_WIDTH 8
#include "engine/tokenizer/pretokenizer.h"

#include <pcre2.h>

#include <array>

#include "engine/base/error.h"
#include "engine/tokenizer/utf8.h"

namespace tern {
namespace {

// Unicode White_Space exactly (what llama.cpp's \s means); PCRE2 10.42's \s under UCP
// misses U+0085, so the class is spelled out.
#define TERN_WS "\\t-\\r\\x{85}\\p{Z}"

const char* const kLlama3 =
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"
    "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
    "|\\p{N}{1,3}"
    "| ?[^" TERN_WS "\\p{L}\\p{N}]+[\\r\\n]*"
    "|[" TERN_WS "]*[\\r\\n]+"
    "|[" TERN_WS "]+(?![^" TERN_WS "])"
    "|[" TERN_WS "]+";

// Qwen2: the Llama-3 rules with single digits.
const char* const kQwen2 =
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"
    "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
    "|\\p{N}"
    "| ?[^" TERN_WS "\\p{L}\\p{N}]+[\\r\\n]*"
    "|[" TERN_WS "]*[\\r\\n]+"
    "|[" TERN_WS "]+(?![^" TERN_WS "])"
    "|[" TERN_WS "]+";

const char* const kGpt2 =
    "'s|'t|'re|'ve|'m|'ll|'d"
    "| ?\\p{L}+| ?\\p{N}+"
    "| ?[^" TERN_WS "\\p{L}\\p{N}]+"
    "|[" TERN_WS "]+(?![^" TERN_WS "])";

#undef TERN_WS

bool is_one_of(std::string_view s, std::initializer_list<std::string_view> names) {
    for (auto n : names)
        if (s == n) return true;
    return false;
}

}  // namespace

PretokenizerRules pretokenizer_rules(std::string_view pre) {
    // Names as llama.cpp's converter writes them into tokenizer.ggml.pre.
    if (is_one_of(pre, {"llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral",
                        "midm-2.0", "lfm2"}))
        return {"llama3", {kLlama3}, true};
    if (pre == "smaug-bpe") return {"smaug", {kLlama3}, false};  // Llama-3 regex, merges always
    if (is_one_of(pre, {"gpt2", "gpt-2", "phi-2", "roberta-bpe", "jina-es", "jina-de",
                        "jina-v1-en", "jina-v2-es", "jina-v2-de", "jina-v2-code", "gigachat"}))
        return {"gpt2", {kGpt2}, false};
    if (is_one_of(pre, {"qwen2", "deepseek-r1-qwen", "megrez"})) return {"qwen2", {kQwen2}, false};
    if (is_one_of(pre, {"starcoder", "refact", "command-r", "smollm", "codeshell", "exaone",
                        "minerva-7b"}))
        return {"starcoder", {"\\p{N}", kGpt2}, false};
    if (pre == "falcon")
        return {"falcon", {"[\\p{P}\\$\\+<=>\\^~\\|`]+", kGpt2, "[0-9][0-9][0-9]"}, false};
    if (pre.empty() || pre == "default")
        return {"default",
                {"[\\p{P}\\$\\+<=>\\^~\\|]+", kGpt2, "\\p{N}+", "[0-9][0-9][0-9]"},
                false};
    throw UnsupportedError("tokenizer.ggml.pre = '" + std::string(pre) +
                           "' is not a supported pre-tokenizer (supported: llama3 / llama-bpe, "
                           "gpt2, qwen2, starcoder, falcon, smaug-bpe, default)");
}

struct Pretokenizer::Compiled {
    pcre2_code* code = nullptr;
    bool jit = false;
    ~Compiled() { pcre2_code_free(code); }
};

Pretokenizer::Pretokenizer(PretokenizerRules rules) : rules_(std::move(rules)) {
    for (const auto& pattern : rules_.patterns) {
        int err = 0;
        PCRE2_SIZE err_offset = 0;
        auto c = std::make_unique<Compiled>();
        c->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                PCRE2_UTF | PCRE2_UCP, &err, &err_offset, nullptr);
        if (!c->code) {
            std::array<PCRE2_UCHAR, 256> msg{};
            pcre2_get_error_message(err, msg.data(), msg.size());
            throw Error("pre-tokenizer regex '" + rules_.name + "' does not compile at offset " +
                        std::to_string(err_offset) + ": " +
                        reinterpret_cast<const char*>(msg.data()));
        }
        // JIT is an optimisation only: without it (or on a JIT stack overflow) the
        // interpreter gives the same matches.
        c->jit = pcre2_jit_compile(c->code, PCRE2_JIT_COMPLETE) == 0;
        compiled_.push_back(std::move(c));
    }
}

Pretokenizer::~Pretokenizer() = default;

namespace {

struct MatchData {
    pcre2_match_data* md;
    explicit MatchData(const pcre2_code* code)
        : md(pcre2_match_data_create_from_pattern(code, nullptr)) {
        if (!md) throw Error("pre-tokenizer: out of memory for regex match data");
    }
    ~MatchData() { pcre2_match_data_free(md); }
    MatchData(const MatchData&) = delete;
    MatchData& operator=(const MatchData&) = delete;
};

struct Piece {
    std::string_view text;
    bool final;  // an invalid byte: never handed to the regex
};

// Splits one piece with one pattern: matches and the gaps between them, in order.
void split_piece(const pcre2_code* code, bool jit, std::string_view piece,
                 std::vector<Piece>& out) {
    MatchData data(code);
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(piece.data());
    size_t pos = 0, emitted = 0;
    while (pos < piece.size()) {
        uint32_t options = PCRE2_NO_UTF_CHECK;  // the caller passes valid UTF-8 only
        int rc = pcre2_match(code, subject, piece.size(), pos, options, data.md, nullptr);
        if (rc == PCRE2_ERROR_JIT_STACKLIMIT && jit)
            rc = pcre2_match(code, subject, piece.size(), pos, options | PCRE2_NO_JIT, data.md,
                             nullptr);
        if (rc == PCRE2_ERROR_NOMATCH) break;
        if (rc < 0) {
            std::array<PCRE2_UCHAR, 256> msg{};
            pcre2_get_error_message(rc, msg.data(), msg.size());
            throw Error(std::string("pre-tokenizer regex failed: ") +
                        reinterpret_cast<const char*>(msg.data()));
        }
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(data.md);
        const size_t start = ov[0], end = ov[1];
        if (end <= start) {  // empty match: none of the rule sets produce one, but never loop
            pos = start + utf8::sequence_length(static_cast<uint8_t>(piece[start]));
            continue;
        }
        if (start > emitted) out.push_back({piece.substr(emitted, start - emitted), false});
        out.push_back({piece.substr(start, end - start), false});
        emitted = pos = end;
    }
    if (emitted < piece.size()) out.push_back({piece.substr(emitted), false});
}

}  // namespace

std::vector<std::string_view> Pretokenizer::split(std::string_view text) const {
    // Valid UTF-8 runs go to the regexes; each invalid byte is a piece of its own.
    std::vector<Piece> pieces;
    size_t run_start = 0, i = 0;
    while (i < text.size()) {
        const size_t len = utf8::valid_sequence_length(text, i);
        if (len > 0) {
            i += len;
            continue;
        }
        if (i > run_start) pieces.push_back({text.substr(run_start, i - run_start), false});
        pieces.push_back({text.substr(i, 1), true});
        run_start = ++i;
    }
    if (i > run_start) pieces.push_back({text.substr(run_start, i - run_start), false});

    for (const auto& c : compiled_) {
        std::vector<Piece> next;
        next.reserve(pieces.size() * 2);
        for (const auto& p : pieces) {
            if (p.final)
                next.push_back(p);
            else
                split_piece(c->code, c->jit, p.text, next);
        }
        pieces = std::move(next);
    }
    std::vector<std::string_view> out;
    out.reserve(pieces.size());
    for (const auto& p : pieces) out.push_back(p.text);
    return out;
}

}  // namespace tern
