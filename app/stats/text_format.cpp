#include "app/stats/text_format.h"

#include <charconv>
#include <cmath>

namespace bench {

std::string format_shortest(double v) {
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, res.ptr);
}

std::string format_shortest(float v) {
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, res.ptr);
}

std::string format_fixed(double v, int decimals) {
    char buf[512];
    auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
    if (res.ec != std::errc()) return format_shortest(v);
    std::string s(buf, res.ptr);
    if (s == "-0" || s.find_first_not_of("-0.") == std::string::npos) {
        if (!s.empty() && s[0] == '-') s.erase(0, 1);   // no "-0.00"
    }
    return s;
}

std::string format_number(double v) {
    if (!std::isfinite(v)) return format_shortest(v);
    const double a = std::fabs(v);
    if (a >= 100.0) return format_fixed(v, 1);
    if (a >= 1.0 || a == 0.0) return format_fixed(v, 2);
    // Below 1: three significant digits without an exponent for ordinary magnitudes.
    const int decimals = std::min(12, 2 - static_cast<int>(std::floor(std::log10(a))));
    return format_fixed(v, decimals);
}

std::string format_or_dash(const std::optional<double>& v) {
    return v ? format_number(*v) : std::string("\u2014");
}

std::optional<double> parse_double(const std::string& s) {
    if (s.empty()) return std::nullopt;
    const char* first = s.data();
    const char* last = s.data() + s.size();
    if (*first == '+') ++first;   // from_chars rejects a leading '+'
    double v = 0;
    auto res = std::from_chars(first, last, v);
    if (res.ec != std::errc() || res.ptr != last) return std::nullopt;
    return v;
}

}  // namespace bench
