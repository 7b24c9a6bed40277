#include "app/http/sse_parser.h"

namespace bench::http {

bool SseParser::feed(std::string_view bytes, std::vector<std::string>& events) {
    if (failed()) return false;
    for (char c : bytes) {
        if (after_cr_) {
            after_cr_ = false;
            if (c == '\n') continue;  // CRLF: the line already ended at '\r'
        }
        if (c == '\r' || c == '\n') {
            after_cr_ = c == '\r';
            end_line(events);
            if (failed()) return false;
            continue;
        }
        line_.push_back(c);
        if (line_.size() + data_.size() > max_event_) {
            error_ = "server-sent event longer than " + std::to_string(max_event_) + " bytes";
            return false;
        }
    }
    return true;
}

void SseParser::end_line(std::vector<std::string>& events) {
    if (line_.empty()) {  // blank line: dispatch
        if (has_data_) events.push_back(std::move(data_));
        data_.clear();
        has_data_ = false;
        return;
    }
    std::string_view line(line_);
    if (line.front() != ':') {  // ':' starts a comment
        const size_t colon = line.find(':');
        std::string_view field = line.substr(0, colon);
        std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
        if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        if (field == "data") {
            if (has_data_) data_.push_back('\n');
            data_.append(value);
            has_data_ = true;
        }
        // event:, id:, retry: and unknown fields carry nothing a completion stream needs.
    }
    line_.clear();
}

}  // namespace bench::http
