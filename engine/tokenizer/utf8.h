#pragma once
// Minimal UTF-8 helpers the tokenizers share (no validation beyond what each caller needs).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tern::utf8 {

// Length of the sequence announced by a lead byte (1 for stray continuation bytes, so a
// walk over arbitrary bytes always advances).
inline size_t sequence_length(uint8_t lead) {
    if (lead < 0x80) return 1;
    if ((lead & 0xE0) == 0xC0) return 2;
    if ((lead & 0xF0) == 0xE0) return 3;
    if ((lead & 0xF8) == 0xF0) return 4;
    return 1;
}

// Appends the UTF-8 encoding of a code point (caller passes valid scalar values).
void append(std::string& out, uint32_t cp);

// Length of the well-formed UTF-8 sequence at text[pos], or 0 when it is malformed
// (bad lead, truncated, overlong, surrogate, > U+10FFFF).
size_t valid_sequence_length(std::string_view text, size_t pos);

}  // namespace tern::utf8
