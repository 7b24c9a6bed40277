#pragma once
// Locale-independent number text (std::to_chars): reports and exports must not depend on the
// process locale (Qt sets it from the environment, and a German locale would print "1,5").
#include <optional>
#include <string>

namespace bench {

// Shortest text that reads back to exactly the same double (exports, round trips).
std::string format_shortest(double v);
// Shortest text for a float (token times are stored as float).
std::string format_shortest(float v);
// For people: fixed decimals chosen by magnitude (>= 100: 1, >= 1: 2, else 3 significant digits).
std::string format_number(double v);
// Fixed number of decimals.
std::string format_fixed(double v, int decimals);
// format_number, or the em dash for a missing value.
std::string format_or_dash(const std::optional<double>& v);
// Strict parse of a whole string as a double ("1.5", "-2e3"); empty on anything else.
std::optional<double> parse_double(const std::string& s);

}  // namespace bench
