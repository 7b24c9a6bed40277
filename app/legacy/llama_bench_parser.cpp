// llama-bench output formats -> field sets -> runs (see llama_bench_parser.h).
#include "app/legacy/llama_bench_parser.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "app/legacy/sql_inserts.h"
#include "app/reports/csv.h"

namespace bench {
namespace {

using json = nlohmann::json;

std::string at_line(const std::string& origin, int line) { return origin + ":" + std::to_string(line); }

// nlohmann's message without its "[json.exception.parse_error.101] " prefix.
std::string short_message(const json::parse_error& e) {
    std::string m = e.what();
    const auto p = m.find("] ");
    return p == std::string::npos ? m : m.substr(p + 2);
}

json parse_json_text(const std::string& text, size_t offset_base, const std::string& full_text,
                     const std::string& origin) {
    try {
        return json::parse(text);
    } catch (const json::parse_error& e) {
        const size_t byte = e.byte > 0 ? e.byte - 1 : 0;
        throw LlamaBenchError(at_line(origin, line_of_offset(full_text, offset_base + byte)) +
                              ": invalid JSON (" + short_message(e) + ")");
    }
}

void add_run(LlamaBenchResult& out, const json& fields, const std::string& where, const LlamaBenchOptions& opt) {
    out.runs.push_back(llama_bench_fields_to_run(fields, where, opt, &out.warnings));
}

LlamaBenchResult from_json(const std::string& text, const std::string& origin, const LlamaBenchOptions& opt) {
    const json doc = parse_json_text(text, 0, text, origin);
    LlamaBenchResult out;
    if (doc.is_object()) {
        add_run(out, doc, origin + ": test 1", opt);
    } else if (doc.is_array()) {
        if (doc.empty()) throw LlamaBenchError(origin + ": no tests (empty JSON array)");
        for (size_t i = 0; i < doc.size(); ++i) add_run(out, doc[i], origin + ": test " + std::to_string(i + 1), opt);
    } else {
        throw LlamaBenchError(origin + ": expected a JSON array of tests");
    }
    return out;
}

LlamaBenchResult from_jsonl(const std::string& text, const std::string& origin, const LlamaBenchOptions& opt) {
    LlamaBenchResult out;
    size_t start = 0;
    int line = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        ++line;
        const std::string row = text.substr(start, end - start);
        if (row.find_first_not_of(" \t\r") != std::string::npos) {
            const json doc = parse_json_text(row, start, text, origin);
            if (!doc.is_object()) throw LlamaBenchError(at_line(origin, line) + ": expected one JSON object per line");
            add_run(out, doc, at_line(origin, line), opt);
        }
        start = end + 1;
    }
    if (out.runs.empty()) throw LlamaBenchError(origin + ": no tests");
    return out;
}

LlamaBenchResult from_csv(const std::string& text, const std::string& origin, const LlamaBenchOptions& opt) {
    std::vector<CsvRow> rows;
    try {
        rows = parse_csv(text, origin);
    } catch (const CsvError& e) {
        throw LlamaBenchError(e.what());
    }
    if (rows.empty()) throw LlamaBenchError(origin + ": empty file");
    const auto& header = rows[0].cells;
    if (std::find(header.begin(), header.end(), "avg_ts") == header.end())
        throw LlamaBenchError(at_line(origin, rows[0].line) +
                              ": not a llama-bench CSV header (no \"avg_ts\" column)");
    if (rows.size() < 2) throw LlamaBenchError(origin + ": header but no tests");
    LlamaBenchResult out;
    for (size_t i = 1; i < rows.size(); ++i) {
        const auto& row = rows[i];
        if (row.cells.size() != header.size())
            throw LlamaBenchError(at_line(origin, row.line) + ": expected " + std::to_string(header.size()) +
                                  " columns, got " + std::to_string(row.cells.size()) + " (file truncated?)");
        json fields = json::object();
        for (size_t c = 0; c < header.size(); ++c) fields[header[c]] = row.cells[c];
        add_run(out, fields, at_line(origin, row.line), opt);
    }
    return out;
}

LlamaBenchResult from_sql(const std::string& text, const std::string& origin, const LlamaBenchOptions& opt) {
    std::vector<SqlInsertRow> rows;
    try {
        rows = read_sql_inserts(text, origin);
    } catch (const SqlError& e) {
        throw LlamaBenchError(e.what());
    }
    if (rows.empty()) throw LlamaBenchError(origin + ": no INSERT statements");
    LlamaBenchResult out;
    for (const auto& row : rows) {
        json fields = json::object();
        for (size_t c = 0; c < row.columns.size(); ++c)
            fields[row.columns[c]] = row.values[c] ? json(*row.values[c]) : json(nullptr);
        add_run(out, fields, at_line(origin, row.line), opt);
    }
    return out;
}

}  // namespace

int line_of_offset(const std::string& text, size_t offset) {
    offset = std::min(offset, text.size());
    return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

namespace {

// One warning per unknown field set, not one per test line: "test 1: fields match ..." and
// "test 2: fields match ..." with the same rest become one that counts the tests.
void merge_unknown_fork_warnings(std::vector<std::string>& warnings) {
    const std::string marker = ": fields match no known implementation";
    std::vector<std::string> out;
    std::vector<std::pair<std::string, int>> seen;   // (rest, count) -> index in out
    std::vector<size_t> where;
    for (auto& w : warnings) {
        const auto pos = w.find(marker);
        if (pos == std::string::npos) {
            out.push_back(std::move(w));
            continue;
        }
        const std::string rest = w.substr(pos);
        auto it = std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == rest; });
        if (it == seen.end()) {
            seen.emplace_back(rest, 1);
            where.push_back(out.size());
            out.push_back(std::move(w));
        } else {
            ++it->second;
        }
    }
    for (size_t i = 0; i < seen.size(); ++i)
        if (seen[i].second > 1) out[where[i]] += " [" + std::to_string(seen[i].second) + " tests]";
    warnings = std::move(out);
}

LlamaBenchResult parse_any(const std::string& text, LlamaBenchFormat format, const std::string& origin,
                           const LlamaBenchOptions& options) {
    switch (format) {
        case LlamaBenchFormat::Json: return from_json(text, origin, options);
        case LlamaBenchFormat::Jsonl: return from_jsonl(text, origin, options);
        case LlamaBenchFormat::Csv: return from_csv(text, origin, options);
        case LlamaBenchFormat::Sql: return from_sql(text, origin, options);
    }
    throw LlamaBenchError(origin + ": unknown format");
}

}  // namespace

LlamaBenchResult parse_llama_bench(const std::string& text, LlamaBenchFormat format, const std::string& origin,
                                   const LlamaBenchOptions& options) {
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) throw LlamaBenchError(origin + ": empty input");
    if (text.find('\0') != std::string::npos)
        throw LlamaBenchError(origin + ": binary data (a NUL byte at line " +
                              std::to_string(line_of_offset(text, text.find('\0'))) + "), not llama-bench output");
    LlamaBenchResult r = parse_any(text, format, origin, options);
    merge_unknown_fork_warnings(r.warnings);
    return r;
}

}  // namespace bench
