#pragma once
// GPT-2's byte-level alphabet: each of the 256 byte values is shown as one printable Unicode
// character (printable Latin-1 bytes stand for themselves, the others for U+0100 onwards), so
// that BPE vocabularies never hold raw control bytes or spaces.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tern::byte_alphabet {

// UTF-8 text of the character standing for `byte`.
const std::string& char_for_byte(uint8_t byte);

// The byte a code point stands for, or nullopt when it is not in the alphabet.
std::optional<uint8_t> byte_for_codepoint(uint32_t cp);

// Raw bytes -> alphabet text.
std::string encode(std::string_view bytes);

// Alphabet text -> raw bytes. Characters outside the alphabet are copied unchanged.
std::string decode(std::string_view text);

}  // namespace tern::byte_alphabet
