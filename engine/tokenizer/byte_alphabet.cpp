#include "engine/tokenizer/byte_alphabet.h"

#include "engine/tokenizer/utf8.h"

namespace tern::byte_alphabet {
namespace {

bool stands_for_itself(uint32_t b) {
    return (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
}

// 256 bytes minus the 188 printable ones that stand for themselves.
constexpr uint32_t kRemapped = 68;

struct Tables {
    std::array<uint32_t, 256> cp_of_byte{};
    std::array<std::string, 256> text_of_byte;
    std::array<uint8_t, kRemapped> byte_of_remapped{};  // index: code point - 256
    Tables() {
        uint32_t next = 256;
        for (uint32_t b = 0; b < 256; ++b) {
            if (stands_for_itself(b)) {
                cp_of_byte[b] = b;
            } else {
                byte_of_remapped[next - 256] = static_cast<uint8_t>(b);
                cp_of_byte[b] = next++;
            }
            utf8::append(text_of_byte[b], cp_of_byte[b]);
        }
    }
};

const Tables& tables() {
    static const Tables t;
    return t;
}

}  // namespace

const std::string& char_for_byte(uint8_t byte) { return tables().text_of_byte[byte]; }

std::optional<uint8_t> byte_for_codepoint(uint32_t cp) {
    if (cp < 256) {
        if (stands_for_itself(cp)) return static_cast<uint8_t>(cp);
        return std::nullopt;
    }
    // Code points 256.. stand for the non-printable bytes in increasing order.
    if (cp >= 256 + kRemapped) return std::nullopt;
    return tables().byte_of_remapped[cp - 256];
}

std::string encode(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (char c : bytes) out += char_for_byte(static_cast<uint8_t>(c));
    return out;
}

std::string decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    size_t i = 0;
    while (i < text.size()) {
        const size_t len = utf8::valid_sequence_length(text, i);
        if (len == 0) {  // not UTF-8 at all: keep the byte
            out += text[i++];
            continue;
        }
        uint32_t cp = static_cast<uint8_t>(text[i]);
        if (len > 1) {
            cp &= 0xFFu >> (len + 1);
            for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<uint8_t>(text[i + k]) & 0x3F);
        }
        if (auto b = byte_for_codepoint(cp))
            out += static_cast<char>(*b);
        else
            out.append(text.substr(i, len));
        i += len;
    }
    return out;
}

}  // namespace tern::byte_alphabet
