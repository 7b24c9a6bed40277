#pragma once
// `ternbench export --format md|csv|json --out FILE`: renders and writes the files.
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "app/reports/markdown_report.h"

namespace bench {

enum class ExportFormat { Markdown, Csv, Json };
std::optional<ExportFormat> export_format_from_name(const std::string& name);   // md|markdown|csv|json

struct ExportError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Markdown: markdown_comparison_report(input). CSV: export_metrics_csv to out_path and
// export_samples_csv to samples_csv_path_for(out_path). JSON: export_json(input.runs) (the
// baselines are included when they are not among the runs). Returns the paths written. Writes
// to a temporary file renamed into place, so a failure never leaves half a report. Throws
// ExportError naming the file.
std::vector<std::string> write_export(ExportFormat format, const ReportInput& input, const std::string& out_path);

// Writes text to path atomically (temporary + rename). Throws ExportError.
void write_text_file(const std::string& path, const std::string& text);

}  // namespace bench
