#pragma once
// Reads the rows of `INSERT INTO table (columns) VALUES (values);` statements from a SQL text,
// as llama-bench's `-o sql` writes them. Not a SQL engine: only CREATE TABLE (skipped),
// INSERT with an explicit column list, '--' comments, string literals ('' escapes), numbers and
// NULL. Anything else is an error naming the line, so a garbage file never imports silently.
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace bench {

struct SqlError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct SqlInsertRow {
    int line = 0;                                    // line of the INSERT keyword
    std::string table;
    std::vector<std::string> columns;
    std::vector<std::optional<std::string>> values;  // NULL -> empty; numbers as their text
};

std::vector<SqlInsertRow> read_sql_inserts(const std::string& text, const std::string& origin);

}  // namespace bench
