#include "app/legacy/importer.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app/legacy/llama_bench_parser.h"
#include "app/legacy/llama_perplexity_parser.h"
#include "app/legacy/llama_perplexity_runner.h"
#include "app/reports/csv.h"
#include "app/reports/csv_export.h"
#include "app/reports/json_export.h"

namespace bench {
namespace {

namespace fs = std::filesystem;

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string read_whole_file(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw ImportError(path + ": no such file");
    if (fs::is_directory(path, ec)) throw ImportError(path + ": is a directory, not a results file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ImportError(path + ": cannot be opened for reading");
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw ImportError(path + ": read error");
    return ss.str();
}

// Control bytes other than tab / CR / LF / form feed do not occur in any text format we read.
bool looks_binary(const std::string& text, size_t* where) {
    const size_t n = std::min<size_t>(text.size(), 1 << 16);
    for (size_t i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') {
            *where = i;
            return true;
        }
    }
    return false;
}

std::string first_line(const std::string& text, size_t start) {
    const size_t end = text.find_first_of("\r\n", start);
    return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::optional<ImportFormat> format_from_extension(const std::string& path) {
    const std::string ext = lower(fs::path(path).extension().string());
    if (ext == ".json") return ImportFormat::LlamaBenchJson;
    if (ext == ".jsonl" || ext == ".ndjson") return ImportFormat::LlamaBenchJsonl;
    if (ext == ".csv") return ImportFormat::LlamaBenchCsv;
    if (ext == ".sql") return ImportFormat::LlamaBenchSql;
    return std::nullopt;
}

ImportResult import_ternbench_json(const std::string& text, const std::string& origin) {
    nlohmann::ordered_json doc;
    try {
        doc = nlohmann::ordered_json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw ImportError(origin + ":" + std::to_string(line_of_offset(text, e.byte ? e.byte - 1 : 0)) +
                          ": invalid JSON");
    }
    ImportResult r;
    r.format = ImportFormat::TernbenchJson;
    try {
        r.runs = runs_from_export_json(doc, origin);
    } catch (const JsonImportError& e) {
        throw ImportError(e.what());
    }
    return r;
}

}  // namespace

const char* import_format_name(ImportFormat f) {
    switch (f) {
        case ImportFormat::Auto: return "auto";
        case ImportFormat::LlamaBenchJson: return "llama-bench json";
        case ImportFormat::LlamaBenchJsonl: return "llama-bench jsonl";
        case ImportFormat::LlamaBenchCsv: return "llama-bench csv";
        case ImportFormat::LlamaBenchSql: return "llama-bench sql";
        case ImportFormat::TernbenchJson: return "ternbench json";
        case ImportFormat::TernbenchCsv: return "ternbench csv";
        case ImportFormat::LlamaPerplexityLog: return "llama-perplexity log";
    }
    return "unknown";
}

std::optional<ImportFormat> import_format_from_name(const std::string& name) {
    const std::string n = lower(name);
    if (n == "auto") return ImportFormat::Auto;
    if (n == "json") return ImportFormat::LlamaBenchJson;
    if (n == "jsonl") return ImportFormat::LlamaBenchJsonl;
    if (n == "csv") return ImportFormat::LlamaBenchCsv;
    if (n == "sql") return ImportFormat::LlamaBenchSql;
    if (n == "ternbench-json") return ImportFormat::TernbenchJson;
    if (n == "ternbench-csv") return ImportFormat::TernbenchCsv;
    if (n == "perplexity-log") return ImportFormat::LlamaPerplexityLog;
    return std::nullopt;
}

ImportFormat detect_import_format(const std::string& text, const std::string& path_hint) {
    const std::string origin = path_hint.empty() ? std::string("input") : path_hint;
    size_t start = text.find_first_not_of(" \t\r\n");
    if (start == std::string::npos) throw ImportError(origin + ": empty file");
    if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) start = text.find_first_not_of(" \t\r\n", 3);   // UTF-8 BOM
    if (start == std::string::npos) throw ImportError(origin + ": empty file");
    // Before the binary check: a log captured from a terminal may hold colour codes.
    if (looks_like_llama_perplexity(text)) return ImportFormat::LlamaPerplexityLog;
    size_t bad = 0;
    if (looks_binary(text, &bad))
        throw ImportError(origin + ":" + std::to_string(line_of_offset(text, bad)) +
                          ": binary data, not a results file (llama-bench json/jsonl/csv/sql or a ternbench export)");
    const char c = text[start];
    if (c == '[') return ImportFormat::LlamaBenchJson;
    if (c == '{') {
        const auto doc = nlohmann::ordered_json::parse(text, nullptr, false);
        if (!doc.is_discarded()) return is_ternbench_json(doc) ? ImportFormat::TernbenchJson : ImportFormat::LlamaBenchJsonl;
        const auto line = nlohmann::ordered_json::parse(first_line(text, start), nullptr, false);
        if (!line.is_discarded() && line.is_object()) return ImportFormat::LlamaBenchJsonl;
        if (text.find("\"schema_version\"") != std::string::npos || text.find("\"runs\"") != std::string::npos)
            return ImportFormat::TernbenchJson;   // ours, but broken: its parser names the error
        return ImportFormat::LlamaBenchJson;
    }
    if (c == '|')
        throw ImportError(origin + ": llama-bench Markdown output cannot be imported (it holds only rounded means); "
                                   "run llama-bench with -o json, jsonl, csv or sql");
    const std::string head = lower(first_line(text, start));
    if (head.rfind("create", 0) == 0 || head.rfind("insert", 0) == 0 || head.rfind("--", 0) == 0 ||
        head.rfind("begin", 0) == 0 || head.rfind("pragma", 0) == 0)
        return ImportFormat::LlamaBenchSql;
    try {
        const auto rows = parse_csv(first_line(text, start), origin);
        if (!rows.empty()) {
            const auto& header = rows[0].cells;
            if (is_metrics_csv_header(header)) return ImportFormat::TernbenchCsv;
            if (is_samples_csv_header(header)) return ImportFormat::TernbenchCsv;
            if (std::find(header.begin(), header.end(), "avg_ts") != header.end()) return ImportFormat::LlamaBenchCsv;
        }
    } catch (const CsvError&) {
    }
    if (auto ext = format_from_extension(path_hint)) return *ext;
    std::string shown = first_line(text, start).substr(0, 60);
    throw ImportError(origin + ":" + std::to_string(line_of_offset(text, start)) +
                      ": unrecognized format (first line \"" + shown +
                      "\"); expected llama-bench json/jsonl/csv/sql output or a ternbench JSON/CSV export");
}

ImportResult import_text(const std::string& text, const std::string& origin, const ImportOptions& options,
                         const std::string& samples_text, const std::string& samples_origin) {
    const ImportFormat format =
        options.format == ImportFormat::Auto ? detect_import_format(text, origin) : options.format;
    ImportResult result;
    result.format = format;
    auto llama = [&](LlamaBenchFormat f) {
        LlamaBenchOptions lo;
        lo.implementation = options.implementation;
        lo.source = "import:" + origin;
        try {
            auto r = parse_llama_bench(text, f, origin, lo);
            result.runs = std::move(r.runs);
            result.warnings = std::move(r.warnings);
        } catch (const LlamaBenchError& e) {
            throw ImportError(e.what());
        }
    };
    switch (format) {
        case ImportFormat::LlamaBenchJson: llama(LlamaBenchFormat::Json); break;
        case ImportFormat::LlamaBenchJsonl: llama(LlamaBenchFormat::Jsonl); break;
        case ImportFormat::LlamaBenchCsv: llama(LlamaBenchFormat::Csv); break;
        case ImportFormat::LlamaBenchSql: llama(LlamaBenchFormat::Sql); break;
        case ImportFormat::TernbenchJson: {
            auto r = import_ternbench_json(text, origin);
            result.runs = std::move(r.runs);
            break;
        }
        case ImportFormat::TernbenchCsv:
            try {
                const auto rows = parse_csv(first_line(text, text.find_first_not_of(" \t\r\n")), origin);
                if (!rows.empty() && is_samples_csv_header(rows[0].cells))
                    throw ImportError(origin + ": this is a raw samples file; import the metrics CSV it belongs to "
                                               "(the samples file is read with it)");
                result.runs = runs_from_csv(text, origin, samples_text, samples_origin);
            } catch (const CsvError& e) {
                throw ImportError(e.what());
            }
            break;
        case ImportFormat::LlamaPerplexityLog:
            try {
                result.runs.push_back(llama_perplexity_log_to_run(text, origin, options.implementation));
            } catch (const LlamaPerplexityError& e) {
                throw ImportError(e.what());
            }
            break;
        case ImportFormat::Auto: throw ImportError(origin + ": format not detected");
    }
    if (!options.implementation.empty() &&
        (format == ImportFormat::TernbenchJson || format == ImportFormat::TernbenchCsv))
        result.warnings.push_back("--implementation applies to llama-bench files only; ignored for " +
                                  std::string(import_format_name(format)));
    if (result.runs.empty()) throw ImportError(origin + ": no runs in the file");
    return result;
}

ImportResult import_file(const std::string& path, const ImportOptions& options) {
    const std::string text = read_whole_file(path);
    ImportFormat format = options.format == ImportFormat::Auto ? detect_import_format(text, path) : options.format;
    ImportOptions opts = options;
    opts.format = format;
    if (format != ImportFormat::TernbenchCsv) return import_text(text, path, opts);

    // Our CSV: find the pair (metrics file, samples file) whichever of the two was named.
    std::string metrics_path = path, metrics_text = text;
    std::vector<CsvRow> rows;
    try {
        rows = parse_csv(first_line(text, text.find_first_not_of(" \t\r\n")), path);
    } catch (const CsvError& e) {
        throw ImportError(e.what());
    }
    if (!rows.empty() && is_samples_csv_header(rows[0].cells)) {
        const std::string name = path;
        const auto pos = name.rfind(".samples");
        if (pos == std::string::npos)
            throw ImportError(path + ": this is a raw samples file; import the metrics CSV it belongs to");
        metrics_path = name.substr(0, pos) + name.substr(pos + 8);
        metrics_text = read_whole_file(metrics_path);
    }
    const std::string samples_path = samples_csv_path_for(metrics_path);
    std::string samples_text;
    std::error_code ec;
    if (fs::exists(samples_path, ec)) samples_text = read_whole_file(samples_path);
    ImportResult r = import_text(metrics_text, metrics_path, opts, samples_text, samples_path);
    if (samples_text.empty()) r.warnings.push_back("no raw samples file " + samples_path + ": metrics only");
    return r;
}

}  // namespace bench
