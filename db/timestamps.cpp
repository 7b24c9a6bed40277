#include "db/timestamps.h"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace tbdb {

std::string utc_timestamp(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    const auto ms_since_epoch = duration_cast<milliseconds>(t.time_since_epoch()).count();
    std::time_t secs = static_cast<std::time_t>(ms_since_epoch / 1000);
    int ms = static_cast<int>(ms_since_epoch % 1000);
    if (ms < 0) {   // before 1970: floor, not truncate
        ms += 1000;
        --secs;
    }
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
    return buf;
}

std::string utc_timestamp_now() { return utc_timestamp(std::chrono::system_clock::now()); }

namespace {

// Reads exactly n digits at text[pos]; advances pos.
bool digits(const std::string& text, size_t& pos, int n, int& value) {
    value = 0;
    for (int i = 0; i < n; ++i, ++pos) {
        if (pos >= text.size() || !std::isdigit(static_cast<unsigned char>(text[pos]))) return false;
        value = value * 10 + (text[pos] - '0');
    }
    return true;
}

bool expect(const std::string& text, size_t& pos, char c) {
    if (pos >= text.size() || text[pos] != c) return false;
    ++pos;
    return true;
}

}  // namespace

std::optional<std::string> normalized_utc_timestamp(const std::string& text) {
    size_t pos = 0;
    int year, month, day, hour, minute, second;
    if (!digits(text, pos, 4, year) || !expect(text, pos, '-') || !digits(text, pos, 2, month) ||
        !expect(text, pos, '-') || !digits(text, pos, 2, day))
        return std::nullopt;
    if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')) return std::nullopt;
    ++pos;
    if (!digits(text, pos, 2, hour) || !expect(text, pos, ':') || !digits(text, pos, 2, minute) ||
        !expect(text, pos, ':') || !digits(text, pos, 2, second))
        return std::nullopt;
    int ms = 0;
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
        ++pos;
        int scale = 100, n = 0;
        while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
            ms += (text[pos] - '0') * scale;   // milliseconds: further digits are dropped
            scale /= 10;
            ++pos;
            ++n;
        }
        if (n == 0) return std::nullopt;
    }
    int offset_minutes = 0;
    if (pos < text.size()) {
        const char zone = text[pos++];
        if (zone == 'Z' || zone == 'z') {
        } else if (zone == '+' || zone == '-') {
            int oh, om = 0;
            if (!digits(text, pos, 2, oh)) return std::nullopt;
            if (pos < text.size()) {
                expect(text, pos, ':');
                if (!digits(text, pos, 2, om)) return std::nullopt;
            }
            offset_minutes = (zone == '+' ? 1 : -1) * (oh * 60 + om);
        } else {
            return std::nullopt;
        }
    }
    if (pos != text.size()) return std::nullopt;
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;

    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    const std::time_t local_as_utc = timegm(&tm);
    const auto t = std::chrono::system_clock::from_time_t(local_as_utc - offset_minutes * 60) +
                   std::chrono::milliseconds(ms);
    return utc_timestamp(t);
}

}  // namespace tbdb
