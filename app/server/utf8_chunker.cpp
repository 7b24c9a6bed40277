#include "app/server/utf8_chunker.h"

namespace bench::server {
namespace {

// Length a lead byte announces (0 for a continuation or invalid byte).
int sequence_length(unsigned char c) {
    if (c < 0x80) return 1;
    if ((c & 0xE0) == 0xC0) return 2;
    if ((c & 0xF0) == 0xE0) return 3;
    if ((c & 0xF8) == 0xF0) return 4;
    return 0;
}

// How many bytes at the end of s form the start of a character not yet complete.
size_t incomplete_tail(const std::string& s) {
    const size_t n = s.size();
    for (size_t back = 1; back <= 3 && back <= n; ++back) {
        const auto c = static_cast<unsigned char>(s[n - back]);
        if ((c & 0xC0) == 0x80) continue;  // continuation byte: look further back
        const int len = sequence_length(c);
        return len > static_cast<int>(back) ? back : 0;
    }
    return 0;
}

}  // namespace

std::string Utf8Chunker::push(const std::string& piece) {
    pending_ += piece;
    const size_t keep = incomplete_tail(pending_);
    std::string out = pending_.substr(0, pending_.size() - keep);
    pending_.erase(0, pending_.size() - keep);
    return out;
}

std::string Utf8Chunker::flush() {
    std::string out;
    out.swap(pending_);
    return out;
}

}  // namespace bench::server
