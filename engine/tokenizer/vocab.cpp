#include "engine/tokenizer/vocab.h"

#include <initializer_list>
#include <string_view>

#include "engine/gguf/gguf_file.h"
#include "engine/base/error.h"
#include "engine/tokenizer/pretokenizer.h"

namespace tern {
namespace {

std::string key_of(std::string_view suffix) { return "tokenizer.ggml." + std::string(suffix); }

std::string where(const GgufFile& f) { return f.path().empty() ? std::string("GGUF") : f.path(); }

// Array that must hold a given element kind; nullptr when absent.
const GgufArray* array_of(const GgufFile& f, const std::string& key, bool strings) {
    const GgufArray* a = f.get_array(key);
    if (!a) return nullptr;
    const bool is_string = a->elem_type == GgufValueType::STRING;
    if (is_string != strings)
        throw FormatError(where(f) + ": " + key + " must be an array of " +
                          (strings ? "strings" : "numbers"));
    return a;
}

void check_length(const GgufFile& f, const std::string& key, size_t got, size_t n_tokens) {
    if (got != n_tokens)
        throw FormatError(where(f) + ": " + key + " has " + std::to_string(got) +
                          " entries but tokenizer.ggml.tokens has " + std::to_string(n_tokens));
}

// A special-token id: absent -> nullopt; out of range -> error for the ones generation
// depends on (bos/eos/eot), ignored for the others (llama.cpp warns and goes on too).
std::optional<int32_t> special_id(const GgufFile& f, std::string_view name, size_t n_tokens,
                                  bool required_in_range) {
    const std::string key = key_of(name);
    const auto v = f.get_int(key);
    if (!v) return std::nullopt;
    if (*v >= 0 && static_cast<uint64_t>(*v) < n_tokens) return static_cast<int32_t>(*v);
    if (!required_in_range) return std::nullopt;
    throw FormatError(where(f) + ": " + key + " = " + std::to_string(*v) +
                      " is outside the vocabulary (" + std::to_string(n_tokens) + " tokens)");
}

// Chat models end a turn with one of these control tokens when no eot id is stored.
std::optional<int32_t> find_eot(const Vocab& v) {
    for (std::string_view name : {"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>"}) {
        for (size_t i = 0; i < v.tokens.size(); ++i) {
            if (v.tokens[i] != name) continue;
            if (v.types.empty() || v.types[i] == TokenType::Control) return static_cast<int32_t>(i);
        }
    }
    return std::nullopt;
}

bool uses_llama3_rules(std::string_view pre) {
    try {
        return pretokenizer_rules(pre).name == "llama3";
    } catch (const UnsupportedError&) {
        return false;  // reported when the tokenizer is built
    }
}

}  // namespace

Vocab read_vocab(const GgufFile& f) {
    Vocab v;
    const auto model = f.get_string(key_of("model"));
    if (!model) throw FormatError(where(f) + ": tokenizer.ggml.model is missing (no tokenizer)");
    v.model = *model;
    if (v.model != "gpt2" && v.model != "llama")
        throw UnsupportedError(where(f) + ": tokenizer.ggml.model = '" + v.model +
                               "' is not supported (supported: gpt2, llama)");

    v.pre = f.get_string(key_of("pre")).value_or("");
    const std::string arch = f.get_string("general.architecture").value_or("");
    if (v.pre.empty() && v.model == "gpt2" && (arch == "bitnet-b1.58" || arch == "bitnet-25"))
        v.pre = "llama-bpe";  // the published 2B-4T file has no pre key but uses Llama-3's rules

    const GgufArray* tokens = array_of(f, key_of("tokens"), true);
    if (!tokens) throw FormatError(where(f) + ": tokenizer.ggml.tokens is missing");
    if (tokens->strings.empty()) throw FormatError(where(f) + ": tokenizer.ggml.tokens is empty");
    if (tokens->strings.size() > static_cast<size_t>(INT32_MAX))
        throw FormatError(where(f) + ": tokenizer.ggml.tokens has too many entries");
    v.tokens = tokens->strings;
    const size_t n = v.tokens.size();

    if (const GgufArray* scores = array_of(f, key_of("scores"), false)) {
        check_length(f, key_of("scores"), scores->size(), n);
        v.scores.reserve(n);
        if (!scores->floats.empty())
            for (double s : scores->floats) v.scores.push_back(static_cast<float>(s));
        else
            for (int64_t s : scores->ints) v.scores.push_back(static_cast<float>(s));
    }
    if (const GgufArray* types = array_of(f, key_of("token_type"), false)) {
        check_length(f, key_of("token_type"), types->size(), n);
        if (types->ints.size() != n)
            throw FormatError(where(f) + ": tokenizer.ggml.token_type must be an array of integers");
        v.types.reserve(n);
        for (size_t i = 0; i < n; ++i) {
            const int64_t t = types->ints[i];
            if (t < 1 || t > 6)
                throw FormatError(where(f) + ": tokenizer.ggml.token_type[" + std::to_string(i) +
                                  "] = " + std::to_string(t) + " is not a token type (1..6)");
            v.types.push_back(static_cast<TokenType>(t));
        }
    }
    if (const GgufArray* merges = array_of(f, key_of("merges"), true)) v.merges = merges->strings;
    if (v.model == "gpt2" && v.merges.empty())
        throw FormatError(where(f) + ": tokenizer.ggml.merges is missing (required by the gpt2 tokenizer)");

    v.bos_id = special_id(f, "bos_token_id", n, true);
    v.eos_id = special_id(f, "eos_token_id", n, true);
    v.eot_id = special_id(f, "eot_token_id", n, true);
    v.unk_id = special_id(f, "unknown_token_id", n, false);
    v.pad_id = special_id(f, "padding_token_id", n, false);
    if (v.model == "llama") {
        // SentencePiece's fixed layout, which llama.cpp assumes when the keys are absent.
        const auto fallback = [&](std::optional<int32_t>& id, int32_t def) {
            if (!id && static_cast<size_t>(def) < n) id = def;
        };
        fallback(v.unk_id, 0);
        fallback(v.bos_id, 1);
        fallback(v.eos_id, 2);
    }
    if (!v.eot_id) v.eot_id = find_eot(v);

    const bool default_bos = v.model == "llama" || uses_llama3_rules(v.pre);
    v.add_bos = f.get_bool(key_of("add_bos_token")).value_or(default_bos);
    v.add_space_prefix = f.get_bool(key_of("add_space_prefix")).value_or(true);
    return v;
}

}  // namespace tern
