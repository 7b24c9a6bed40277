#pragma once
// `ternbench import FILE`: results files to runs, format detected from the content (the file
// extension only breaks a tie). Formats: llama-bench -o json | jsonl | csv | sql (upstream
// llama.cpp and bitnet.cpp field sets), and our own exports: the full JSON (and the
// `--json` machine output), the tidy metrics CSV (its raw samples file next to it,
// samples_csv_path_for(), is read too when present). Runs from our own exports come back
// exactly as exported (ids, uuids, source included); the store assigns new ids on insert.
// Every problem is an ImportError naming the file and the line or field.
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "db/run_record.h"

namespace bench {

struct ImportError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

enum class ImportFormat {
    Auto,
    LlamaBenchJson,
    LlamaBenchJsonl,
    LlamaBenchCsv,
    LlamaBenchSql,
    TernbenchJson,
    TernbenchCsv,
    LlamaPerplexityLog,   // what llama-perplexity printed (a `perplexity` run)
};
const char* import_format_name(ImportFormat f);   // "llama-bench json", "ternbench csv", ...
// CLI names: auto, json, jsonl, csv, sql (llama-bench), ternbench-json, ternbench-csv,
// perplexity-log.
std::optional<ImportFormat> import_format_from_name(const std::string& name);

struct ImportOptions {
    ImportFormat format = ImportFormat::Auto;
    std::string implementation;   // llama-bench files: override the detected implementation
};

struct ImportResult {
    std::vector<tbdb::RunRecord> runs;
    ImportFormat format = ImportFormat::Auto;
    std::vector<std::string> warnings;
};

// Throws ImportError when the content matches no known format (binary, Markdown, empty ...).
ImportFormat detect_import_format(const std::string& text, const std::string& path_hint = {});

ImportResult import_file(const std::string& path, const ImportOptions& options = {});
// origin names the input in errors. samples_text: the raw samples CSV of a ternbench CSV.
ImportResult import_text(const std::string& text, const std::string& origin, const ImportOptions& options = {},
                         const std::string& samples_text = {}, const std::string& samples_origin = {});

}  // namespace bench
