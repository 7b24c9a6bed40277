#pragma once
// CSV text both ways (RFC 4180: comma separated, "quoted" cells with "" for a quote, CRLF or LF).
//
// Formula injection: a spreadsheet runs a cell that begins with = + - @ (or tab / CR) as a
// formula. Text cells are neutralized by prefixing a single quote ('), and so are cells that
// already begin with one, so csv_text_from_cell() can strip exactly one quote and give back
// the original text (lossless round trip). Numbers we write ourselves ("-1.5") are plain
// numbers, not formulas, and stay as they are.
#include <stdexcept>
#include <string>
#include <vector>

namespace bench {

struct CsvError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A text cell: neutralized, then quoted when it holds a comma, quote or line break.
std::string csv_text_cell(const std::string& text);
// A number cell written by us (shortest exact text); empty for a missing value.
std::string csv_number_cell(double v);
// Inverse of csv_text_cell's neutralization (the CSV quoting is undone by parse_csv).
std::string csv_text_from_cell(const std::string& cell);
// Joins cells (already made by csv_*_cell) with commas, ends with "\n".
std::string csv_line(const std::vector<std::string>& cells);

struct CsvRow {
    int line = 0;                       // 1-based line where the row starts
    std::vector<std::string> cells;     // unquoted
};
// Parses the whole text. Throws CsvError "<origin>:<line>: ..." on an unterminated quote or
// characters after a closing quote. Blank lines are skipped.
std::vector<CsvRow> parse_csv(const std::string& text, const std::string& origin);

}  // namespace bench
