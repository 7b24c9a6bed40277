#include "app/reports/csv.h"

#include <cmath>

#include "app/stats/text_format.h"

namespace bench {

std::string csv_text_cell(const std::string& text) {
    std::string cell = text;
    if (!cell.empty()) {
        const char c = cell.front();
        if (c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r' || c == '\'')
            cell.insert(cell.begin(), '\'');
    }
    if (cell.find_first_of(",\"\n\r") == std::string::npos) return cell;
    std::string quoted = "\"";
    for (char c : cell) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    quoted += '"';
    return quoted;
}

std::string csv_number_cell(double v) { return std::isfinite(v) ? format_shortest(v) : std::string(); }

std::string csv_text_from_cell(const std::string& cell) {
    if (cell.size() >= 2 && cell.front() == '\'') {
        const char c = cell[1];
        if (c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r' || c == '\'')
            return cell.substr(1);
    }
    return cell;
}

std::string csv_line(const std::vector<std::string>& cells) {
    std::string line;
    for (size_t i = 0; i < cells.size(); ++i) {
        if (i) line += ',';
        line += cells[i];
    }
    line += '\n';
    return line;
}

std::vector<CsvRow> parse_csv(const std::string& text, const std::string& origin) {
    std::vector<CsvRow> rows;
    CsvRow row;
    std::string cell;
    int line = 1;
    row.line = 1;
    bool in_quotes = false, after_quote = false, row_has_content = false;
    auto fail = [&](const std::string& what) {
        throw CsvError(origin + ":" + std::to_string(line) + ": " + what);
    };
    auto end_cell = [&] {
        row.cells.push_back(std::move(cell));
        cell.clear();
        after_quote = false;
    };
    auto end_row = [&] {
        end_cell();
        if (row_has_content) rows.push_back(std::move(row));
        row = CsvRow{};
        row_has_content = false;
    };
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_quotes) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    cell += '"';
                    ++i;
                } else {
                    in_quotes = false;
                    after_quote = true;
                }
            } else {
                if (c == '\n') ++line;
                cell += c;
            }
            continue;
        }
        if (c == ',') {
            end_cell();
            row_has_content = true;
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            end_row();
            ++line;
            row.line = line;
        } else if (after_quote) {
            fail("unexpected character after a closing quote");
        } else if (c == '"') {
            if (!cell.empty()) fail("quote inside an unquoted cell");
            in_quotes = true;
            row_has_content = true;
        } else {
            cell += c;
            row_has_content = true;
        }
    }
    if (in_quotes) fail("unterminated quoted cell (file truncated?)");
    if (row_has_content || !cell.empty()) {
        row_has_content = true;
        end_row();
    }
    return rows;
}

}  // namespace bench
