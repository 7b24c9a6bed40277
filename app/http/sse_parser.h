#pragma once
// Incremental parser of a text/event-stream body (the WHATWG "server-sent events" format):
// bytes arrive in arbitrary pieces; complete events come out as the concatenated `data:` lines.
// Memory is bounded: a line or an event longer than `max_event_bytes` is an error, never an
// unbounded buffer (a server that never sends a newline cannot exhaust memory).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace bench::http {

class SseParser {
public:
    explicit SseParser(size_t max_event_bytes = 1 << 20) : max_event_(max_event_bytes) {}

    // Appends bytes; complete events (their data, lines joined by '\n') go to `events`.
    // Returns false on an over-long line or event; error() then says why and the parser stays
    // failed.
    bool feed(std::string_view bytes, std::vector<std::string>& events);
    // Bytes of an event (or line) still waiting for its end: a stream that ends with pending()
    // non-zero was truncated mid-event.
    size_t pending() const { return line_.size() + data_.size(); }
    bool failed() const { return !error_.empty(); }
    const std::string& error() const { return error_; }

private:
    void end_line(std::vector<std::string>& events);
    size_t max_event_;
    std::string line_;        // current line, without its terminator
    std::string data_;        // data of the current event so far
    bool has_data_ = false;
    bool after_cr_ = false;   // last byte was '\r' (a following '\n' belongs to it)
    std::string error_;
};

}  // namespace bench::http
