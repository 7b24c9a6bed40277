// Tokenizer algorithms on hand-made vocabularies: merge order, byte fallback, special tokens
// as plain text, pre-tokenizer rules, round trips, and clear errors for bad vocabularies.
#include <QtTest>

#include <algorithm>
#include <string>
#include <vector>

#include "engine/base/error.h"
#include "engine/tokenizer/byte_alphabet.h"
#include "engine/tokenizer/pretokenizer.h"
#include "engine/tokenizer/tokenizer.h"

using namespace tern;

namespace {

using Ids = std::vector<int32_t>;

QString show(const Ids& ids) {
    QStringList s;
    for (int32_t id : ids) s << QString::number(id);
    return "[" + s.join(", ") + "]";
}

QString show(const std::vector<std::string_view>& pieces) {
    QStringList s;
    for (auto p : pieces) s << "'" + QString::fromUtf8(p.data(), static_cast<qsizetype>(p.size())) + "'";
    return "[" + s.join(", ") + "]";
}

#define COMPARE_IDS(actual, expected) QCOMPARE(show(actual), show(Ids(expected)))

// GPT-2 vocabulary: the 256 byte characters as ids 0..255 (id == byte value), then merges.
Vocab gpt2_vocab(const std::string& pre = "gpt2") {
    Vocab v;
    v.model = "gpt2";
    v.pre = pre;
    for (int b = 0; b < 256; ++b) v.tokens.push_back(byte_alphabet::char_for_byte(static_cast<uint8_t>(b)));
    const std::vector<std::pair<std::string, std::string>> merges = {
        {"h", "e"},   {"l", "l"},    {"he", "ll"}, {"hell", "o"}, {"Ġ", "w"},
        {"o", "r"},   {"Ġw", "or"},  {"l", "d"},   {"Ġwor", "ld"}, {"x", "y"},  // "xy" is no token
    };
    for (const auto& [a, b] : merges) {
        v.merges.push_back(a + " " + b);
        if (a + b != "xy") v.tokens.push_back(a + b);
    }
    // 256 he, 257 ll, 258 hell, 259 hello, 260 Ġw, 261 or, 262 Ġwor, 263 ld, 264 Ġworld
    v.tokens.push_back("<|eot|>");  // 265, control
    v.types.assign(v.tokens.size(), TokenType::Normal);
    v.types.back() = TokenType::Control;
    v.bos_id = 265;
    v.eos_id = 265;
    return v;
}

// SentencePiece vocabulary: <unk> <s> </s>, byte tokens 3..258, then pieces with scores.
Vocab spm_vocab(const std::vector<std::pair<std::string, float>>& pieces) {
    Vocab v;
    v.model = "llama";
    v.tokens = {"<unk>", "<s>", "</s>"};
    v.types = {TokenType::Unknown, TokenType::Control, TokenType::Control};
    v.scores = {0, 0, 0};
    static const char* hex = "0123456789ABCDEF";
    for (int b = 0; b < 256; ++b) {
        v.tokens.push_back(std::string("<0x") + hex[b >> 4] + hex[b & 15] + ">");
        v.types.push_back(TokenType::Byte);
        v.scores.push_back(0);
    }
    for (const auto& [text, score] : pieces) {
        v.tokens.push_back(text);
        v.types.push_back(TokenType::Normal);
        v.scores.push_back(score);
    }
    v.unk_id = 0;
    v.bos_id = 1;
    v.eos_id = 2;
    return v;
}

int32_t id_of(const Vocab& v, const std::string& text) {
    for (size_t i = 0; i < v.tokens.size(); ++i)
        if (v.tokens[i] == text) return static_cast<int32_t>(i);
    return -1;
}

const std::vector<std::string>& round_trip_texts() {
    static const std::vector<std::string> texts = {
        "",
        "a",
        "Hello world",
        "The quick brown fox jumps over the lazy dog.",
        "  leading spaces",
        "trailing spaces   ",
        "   ",
        "tabs\t\tand\nnewlines\r\n\n\nend",
        "日本語のテキスト",
        "emoji 🚀🦀 mix 👩‍👩‍👧",
        "combining: e\xCC\x81 a\xCC\x8A n\xCC\x83",
        "naïve café — déjà vu",
        "Привет, мир! مرحبا 한국어",
        "<|begin_of_text|> plain <s></s> text",
        "I'm sure they'll say we've done it, DON'T",
        "1234567890 and 1,000,000.00",
        "\x01\x02 control bytes \x7f",
        "nbsp\xC2\xA0here and NEL\xC2\x85there",
        "invalid \xF2\x83V x \xC3 \xFF\xFE end\xE2\x96",
    };
    return texts;
}

}  // namespace

class TestTokenizer : public QObject {
    Q_OBJECT
private slots:
    // ---- GPT-2 byte-level BPE ----
    void bpe_applies_merges_by_rank() {
        auto tok = Tokenizer::create(gpt2_vocab());
        COMPARE_IDS(tok->encode("hello world", false), (Ids{259, 264}));
        // "l l" (rank 1) beats "l d" (rank 7); leftmost wins a tie.
        COMPARE_IDS(tok->encode("lld", false), (Ids{257, 'd'}));
        COMPARE_IDS(tok->encode("lll", false), (Ids{257, 'l'}));
        COMPARE_IDS(tok->encode("hello", true), (Ids{265, 259}));
    }
    void bpe_pretokenizes_before_merging() {
        auto tok = Tokenizer::create(gpt2_vocab());
        // "hello  world": "hello", " ", " world"; the lone space is byte 32.
        COMPARE_IDS(tok->encode("hello  world", false), (Ids{259, 32, 264}));
        // Merges never cross words: "o" + " " + "w" stay apart from "or".
        COMPARE_IDS(tok->encode("o rld", false), (Ids{'o', 32, 'r', 263}));
    }
    void bpe_merged_non_token_falls_back_to_bytes() {
        auto tok = Tokenizer::create(gpt2_vocab());
        COMPARE_IDS(tok->encode("xy", false), (Ids{'x', 'y'}));
    }
    void bpe_special_tokens_are_plain_text() {
        auto tok = Tokenizer::create(gpt2_vocab());
        const Ids ids = tok->encode("<|eot|>", false);
        QVERIFY(!ids.empty());
        for (int32_t id : ids) QVERIFY(id != 265);
        QCOMPARE(tok->decode(ids), std::string("<|eot|>"));
        QCOMPARE(tok->token_piece(265), std::string());  // control renders as nothing
    }
    void bpe_merges_never_spell_a_control_token() {
        Vocab v = gpt2_vocab();
        v.tokens.insert(v.tokens.end() - 1, "xyz");
        v.merges.push_back("xy z");
        v.types.assign(v.tokens.size(), TokenType::Normal);
        v.types[static_cast<size_t>(id_of(v, "xyz"))] = TokenType::Control;
        v.types.back() = TokenType::Control;
        v.bos_id = v.eos_id = static_cast<int32_t>(v.tokens.size() - 1);
        for (const char* pre : {"gpt2", "llama3"}) {
            v.pre = pre;
            auto tok = Tokenizer::create(v);
            COMPARE_IDS(tok->encode("xyz", false), (Ids{'x', 'y', 'z'}));
        }
    }
    void bpe_invalid_utf8_is_kept_byte_for_byte() {
        auto tok = Tokenizer::create(gpt2_vocab());
        const std::string text = "a\xff\xfe b\xc3";
        COMPARE_IDS(tok->encode(text, false), (Ids{'a', 0xff, 0xfe, 32, 'b', 0xc3}));
        QCOMPARE(tok->decode(tok->encode(text, false)), text);
    }
    void bpe_round_trips() {
        for (const char* pre : {"gpt2", "llama-bpe", "qwen2", "starcoder", "falcon", ""}) {
            auto tok = Tokenizer::create(gpt2_vocab(pre));
            for (const auto& s : round_trip_texts())
                QCOMPARE(tok->decode(tok->encode(s, false)), s);
        }
    }
    void bpe_ignore_merges_takes_whole_word_tokens() {
        // Llama-3 rules: a word that is a token is used as is, even without a merge path.
        Vocab v = gpt2_vocab("llama-bpe");
        v.tokens.insert(v.tokens.end() - 1, "xyz");  // no merge reaches it
        v.types.assign(v.tokens.size(), TokenType::Normal);
        v.types.back() = TokenType::Control;
        v.bos_id = v.eos_id = static_cast<int32_t>(v.tokens.size() - 1);
        const int32_t xyz = id_of(v, "xyz");
        auto llama3 = Tokenizer::create(v);
        COMPARE_IDS(llama3->encode("xyz", false), (Ids{xyz}));
        v.pre = "gpt2";
        auto gpt2 = Tokenizer::create(v);
        COMPARE_IDS(gpt2->encode("xyz", false), (Ids{'x', 'y', 'z'}));
    }
    void byte_alphabet_is_a_bijection() {
        for (int b = 0; b < 256; ++b) {
            const std::string c = byte_alphabet::char_for_byte(static_cast<uint8_t>(b));
            QCOMPARE(byte_alphabet::decode(c), std::string(1, static_cast<char>(b)));
        }
        QCOMPARE(byte_alphabet::char_for_byte(' '), std::string("Ġ"));
        QCOMPARE(byte_alphabet::char_for_byte('\n'), std::string("Ċ"));
        QCOMPARE(byte_alphabet::char_for_byte('A'), std::string("A"));
    }

    // ---- Pre-tokenizer rules ----
    void llama3_pretokenizer_splits_like_llama3() {
        Pretokenizer p(pretokenizer_rules("llama-bpe"));
        const auto check = [&](const std::string& text, std::vector<std::string_view> want) {
            QCOMPARE(show(p.split(text)), show(want));
        };
        check("I'm sure they'LL say we'VE", {"I", "'m", " sure", " they", "'LL", " say", " we", "'VE"});
        check("12345 3.14159", {"123", "45", " ", "3", ".", "141", "59"});
        check("  two  spaces and\ttab", {" ", " two", " ", " spaces", " and", "\ttab"});
        check("line one\nline two\n\nline four",
              {"line", " one", "\n", "line", " two", "\n\n", "line", " four"});
        check("code();\n\treturn x+1;", {"code", "();\n", "\treturn", " x", "+", "1", ";"});
        check("end   ", {"end", "   "});
        check("über Ünïcödé", {"über", " Ünïcödé"});
        check("日本語のテキスト", {"日本語のテキスト"});
        check("a\xC2\x85" "b", {"a", "\xC2\x85" "b"});  // U+0085 is white space, then a letter
    }
    void gpt2_pretokenizer_splits_like_gpt2() {
        Pretokenizer p(pretokenizer_rules("gpt2"));
        const auto got = p.split("I'm 12345 hi!!  x\n\ny");
        const std::vector<std::string_view> want = {"I", "'m", " 12345", " hi", "!!", " ", " x", "\n", "\n", "y"};
        QCOMPARE(show(got), show(want));
    }
    void unknown_pretokenizer_is_refused() {
        QVERIFY_THROWS_EXCEPTION(UnsupportedError, pretokenizer_rules("no-such-pre"));
        QVERIFY_THROWS_EXCEPTION(UnsupportedError, Tokenizer::create(gpt2_vocab("no-such-pre")));
    }
    void long_inputs_split_without_loss() {
        Pretokenizer p(pretokenizer_rules("llama3"));
        std::string text(200000, ' ');
        text += "x";
        text += std::string(100000, '\n');
        size_t total = 0;
        for (auto piece : p.split(text)) total += piece.size();
        QCOMPARE(total, text.size());
    }

    // ---- SentencePiece BPE ----
    void spm_adds_space_prefix_and_merges_by_score() {
        Vocab v = spm_vocab({{"\xE2\x96\x81", -5}, {"a", -10}, {"b", -10}, {"\xE2\x96\x81" "a", -1}, {"ab", -2}});
        auto tok = Tokenizer::create(v);
        // "▁a" (-1) beats "ab" (-2).
        COMPARE_IDS(tok->encode("ab", false), (Ids{id_of(v, "▁a"), id_of(v, "b")}));
        v.scores[static_cast<size_t>(id_of(v, "ab"))] = -0.5f;
        tok = Tokenizer::create(v);
        COMPARE_IDS(tok->encode("ab", false), (Ids{id_of(v, "▁"), id_of(v, "ab")}));
        COMPARE_IDS(tok->encode("ab", true), (Ids{1, id_of(v, "▁"), id_of(v, "ab")}));
        COMPARE_IDS(tok->encode("", false), Ids{});
        COMPARE_IDS(tok->encode("", true), Ids{1});
    }
    void spm_ties_merge_leftmost_first() {
        Vocab v = spm_vocab({{"a", -1}, {"aa", -2}});
        v.add_space_prefix = false;
        auto tok = Tokenizer::create(v);
        COMPARE_IDS(tok->encode("aaa", false), (Ids{id_of(v, "aa"), id_of(v, "a")}));
    }
    void spm_spaces_become_markers() {
        Vocab v = spm_vocab({{"\xE2\x96\x81", -1}, {"x", -1}, {"\xE2\x96\x81x", -2}});
        auto tok = Tokenizer::create(v);
        const int32_t sp = id_of(v, "▁"), spx = id_of(v, "▁x");
        COMPARE_IDS(tok->encode("  x", false), (Ids{sp, sp, spx}));
        QCOMPARE(tok->decode(tok->encode("  x", false)), std::string("  x"));
        QCOMPARE(tok->token_piece(spx), std::string(" x"));
    }
    void spm_byte_fallback() {
        Vocab v = spm_vocab({{"\xE2\x96\x81", -1}, {"c", -1}});
        auto tok = Tokenizer::create(v);
        // "é" is not in the vocabulary: its two UTF-8 bytes as <0xC3> <0xA9> (id = 3 + byte).
        COMPARE_IDS(tok->encode("cé", false), (Ids{id_of(v, "▁"), id_of(v, "c"), 3 + 0xC3, 3 + 0xA9}));
        QCOMPARE(tok->token_piece(3 + 0xC3), std::string("\xC3"));
        QCOMPARE(tok->decode(tok->encode("cé", false)), std::string("cé"));
    }
    void spm_special_tokens_are_plain_text() {
        // Merges could spell the control token <s> (id 1): it must still not come from text.
        Vocab v = spm_vocab({{"\xE2\x96\x81", -1}, {"<", -1}, {"s", -1}, {">", -1}, {"/", -1}, {"<s", -2}});
        auto tok = Tokenizer::create(v);
        const Ids ids = tok->encode("<s></s>", false);
        for (int32_t id : ids) QVERIFY(id != 1 && id != 2);
        QVERIFY(std::find(ids.begin(), ids.end(), id_of(v, "<s")) != ids.end());
        QCOMPARE(tok->decode(ids), std::string("<s></s>"));
    }
    void spm_without_space_prefix() {
        Vocab v = spm_vocab({{"\xE2\x96\x81", -1}, {"a", -1}});
        v.add_space_prefix = false;
        auto tok = Tokenizer::create(v);
        COMPARE_IDS(tok->encode("a a", false), (Ids{id_of(v, "a"), id_of(v, "▁"), id_of(v, "a")}));
        QCOMPARE(tok->decode(tok->encode(" a", false)), std::string(" a"));
    }
    void spm_decode_removes_only_the_added_prefix() {
        Vocab v = spm_vocab({{"\xE2\x96\x81", -1}, {"h", -1}, {"i", -1}, {"\xE2\x96\x81h", -2}});
        auto tok = Tokenizer::create(v);
        const Ids ids = tok->encode("hi", true);  // BOS, ▁h, i
        QCOMPARE(tok->decode(ids), std::string("hi"));
        QCOMPARE(tok->decode(ids, false), std::string(" hi"));  // a continuation keeps spaces
    }
    void spm_round_trips() {
        Vocab v = spm_vocab({{"\xE2\x96\x81", -1}, {"e", -2}, {"\xE2\x96\x81t", -3}, {"he", -4}, {"日", -5}});
        for (bool prefix : {true, false}) {
            v.add_space_prefix = prefix;
            auto tok = Tokenizer::create(v);
            for (const auto& s : round_trip_texts()) {
                QCOMPARE(tok->decode(tok->encode(s, false)), s);
                QCOMPARE(tok->decode(tok->encode(s, true)), s);
            }
        }
    }

    // ---- Vocabulary checks and special ids ----
    void bad_vocabularies_are_refused() {
        Vocab v = spm_vocab({{"a", -1}});
        v.model = "wordpiece";
        QVERIFY_THROWS_EXCEPTION(UnsupportedError, Tokenizer::create(v));
        v = spm_vocab({{"a", -1}});
        v.scores.pop_back();
        QVERIFY_THROWS_EXCEPTION(FormatError, Tokenizer::create(v));
        v = spm_vocab({{"a", -1}});
        v.bos_id = 100000;
        QVERIFY_THROWS_EXCEPTION(FormatError, Tokenizer::create(v));
        v = spm_vocab({{"a", -1}});
        v.tokens.clear();
        QVERIFY_THROWS_EXCEPTION(FormatError, Tokenizer::create(v));
        Vocab g = gpt2_vocab();
        g.merges.push_back("nospace");
        QVERIFY_THROWS_EXCEPTION(FormatError, Tokenizer::create(g));
        g = gpt2_vocab();
        g.bos_id.reset();
        auto tok = Tokenizer::create(g);
        QVERIFY_THROWS_EXCEPTION(Error, tok->encode("x", true));
        QVERIFY_THROWS_EXCEPTION(Error, tok->token_piece(-1));
        QVERIFY_THROWS_EXCEPTION(Error, tok->token_piece(tok->n_vocab()));
    }
    void end_of_generation_is_eos_or_eot() {
        Vocab v = spm_vocab({{"a", -1}, {"<|eot_id|>", 0}});
        v.eot_id = id_of(v, "<|eot_id|>");
        auto tok = Tokenizer::create(v);
        QVERIFY(tok->is_end_of_generation(2));
        QVERIFY(tok->is_end_of_generation(*v.eot_id));
        QVERIFY(!tok->is_end_of_generation(1));
        QVERIFY(!tok->is_end_of_generation(id_of(v, "a")));
    }
};

QTEST_APPLESS_MAIN(TestTokenizer)
#include "test_tokenizer.moc"
