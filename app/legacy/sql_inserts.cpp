#include "app/legacy/sql_inserts.h"

#include <cctype>

namespace bench {
namespace {

class SqlLexer {
public:
    SqlLexer(const std::string& text, const std::string& origin) : s_(text), origin_(origin) {}

    [[noreturn]] void fail(const std::string& what) const {
        throw SqlError(origin_ + ":" + std::to_string(line_) + ": " + what);
    }
    int line() const { return line_; }
    bool at_end() {
        skip_space();
        return i_ >= s_.size();
    }
    void skip_space() {
        while (i_ < s_.size()) {
            const char c = s_[i_];
            if (c == '\n') {
                ++line_;
                ++i_;
            } else if (std::isspace(static_cast<unsigned char>(c))) {
                ++i_;
            } else if (c == '-' && i_ + 1 < s_.size() && s_[i_ + 1] == '-') {
                while (i_ < s_.size() && s_[i_] != '\n') ++i_;
            } else {
                break;
            }
        }
    }
    char peek() {
        skip_space();
        return i_ < s_.size() ? s_[i_] : '\0';
    }
    void expect(char c) {
        if (peek() != c) fail(std::string("expected '") + c + "'");
        ++i_;
    }
    // Identifier or keyword (letters, digits, _), optionally "quoted" or `quoted`.
    std::string word() {
        skip_space();
        if (i_ < s_.size() && (s_[i_] == '"' || s_[i_] == '`')) {
            const char q = s_[i_++];
            std::string w;
            while (i_ < s_.size() && s_[i_] != q) w += s_[i_++];
            if (i_ >= s_.size()) fail("unterminated quoted identifier");
            ++i_;
            return w;
        }
        std::string w;
        while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_')) w += s_[i_++];
        if (w.empty()) fail("expected a name");
        return w;
    }
    std::optional<std::string> value() {
        skip_space();
        if (i_ >= s_.size()) fail("unexpected end of file in VALUES (file truncated?)");
        if (s_[i_] == '\'') {
            ++i_;
            std::string v;
            while (true) {
                if (i_ >= s_.size()) fail("unterminated string literal (file truncated?)");
                const char c = s_[i_++];
                if (c == '\'') {
                    if (i_ < s_.size() && s_[i_] == '\'') {
                        v += '\'';
                        ++i_;
                    } else {
                        break;
                    }
                } else {
                    if (c == '\n') ++line_;
                    v += c;
                }
            }
            return v;
        }
        std::string v;
        while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.' ||
                                  s_[i_] == '-' || s_[i_] == '+'))
            v += s_[i_++];
        if (v.empty()) fail("expected a value");
        if (v == "NULL" || v == "null") return std::nullopt;
        const unsigned char first = static_cast<unsigned char>(v[0]);
        if (!std::isdigit(first) && v[0] != '-' && v[0] != '+' && v[0] != '.') fail("unexpected value \"" + v + "\"");
        return v;
    }
    // Skips a statement up to its ';' (strings respected).
    void skip_statement() {
        while (i_ < s_.size()) {
            const char c = s_[i_];
            if (c == '\'') {
                value();
                continue;
            }
            if (c == '\n') ++line_;
            ++i_;
            if (c == ';') return;
        }
    }

private:
    const std::string& s_;
    const std::string& origin_;
    size_t i_ = 0;
    int line_ = 1;
};

std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

std::vector<SqlInsertRow> read_sql_inserts(const std::string& text, const std::string& origin) {
    std::vector<SqlInsertRow> rows;
    SqlLexer lx(text, origin);
    while (!lx.at_end()) {
        const int line = lx.line();
        const std::string kw = upper(lx.word());
        if (kw == "CREATE" || kw == "BEGIN" || kw == "COMMIT" || kw == "PRAGMA") {
            lx.skip_statement();
            continue;
        }
        if (kw != "INSERT") lx.fail("expected INSERT or CREATE, found \"" + kw + "\"");
        if (upper(lx.word()) != "INTO") lx.fail("expected INTO after INSERT");
        SqlInsertRow row;
        row.line = line;
        row.table = lx.word();
        lx.expect('(');
        while (true) {
            row.columns.push_back(lx.word());
            if (lx.peek() == ',') {
                lx.expect(',');
                continue;
            }
            lx.expect(')');
            break;
        }
        if (upper(lx.word()) != "VALUES") lx.fail("expected VALUES");
        lx.expect('(');
        while (true) {
            row.values.push_back(lx.value());
            if (lx.peek() == ',') {
                lx.expect(',');
                continue;
            }
            lx.expect(')');
            break;
        }
        if (lx.peek() == ';') lx.expect(';');
        else if (!lx.at_end()) lx.fail("expected ';' after VALUES (...)");
        if (row.values.size() != row.columns.size())
            throw SqlError(origin + ":" + std::to_string(line) + ": " + std::to_string(row.columns.size()) +
                           " columns but " + std::to_string(row.values.size()) + " values");
        rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace bench
