#include "app/reports/export_writer.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "app/reports/csv_export.h"
#include "app/reports/json_export.h"

namespace bench {

std::optional<ExportFormat> export_format_from_name(const std::string& name) {
    if (name == "md" || name == "markdown") return ExportFormat::Markdown;
    if (name == "csv") return ExportFormat::Csv;
    if (name == "json") return ExportFormat::Json;
    return std::nullopt;
}

void write_text_file(const std::string& path, const std::string& text) {
    std::error_code dir_ec;
    if (std::filesystem::is_directory(path, dir_ec))
        throw ExportError(path + ": is a folder; give a file name (e.g. " +
                          (std::filesystem::path(path) / "runs.md").string() + ")");
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw ExportError(path + ": cannot write (" + std::strerror(errno) + ")");
        out << text;
        out.flush();
        if (!out) {
            const int err = errno;
            std::error_code ignored;
            std::filesystem::remove(tmp, ignored);
            throw ExportError(path + ": write failed (" + std::string(err ? std::strerror(err) : "disk full?") + ")");
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        // The cause first: removing the temporary file reuses (and clears) the error code.
        const std::string cause = ec.message();
        std::error_code ignored;
        std::filesystem::remove(tmp, ignored);
        throw ExportError(path + ": cannot move the finished file into place (" + cause + ")");
    }
}

std::vector<std::string> write_export(ExportFormat format, const ReportInput& input, const std::string& out_path) {
    switch (format) {
        case ExportFormat::Markdown:
            write_text_file(out_path, markdown_comparison_report(input));
            return {out_path};
        case ExportFormat::Csv: {
            const std::string samples = samples_csv_path_for(out_path);
            write_text_file(out_path, export_metrics_csv(input.runs));
            write_text_file(samples, export_samples_csv(input.runs));
            return {out_path, samples};
        }
        case ExportFormat::Json: {
            std::vector<tbdb::RunRecord> runs = input.runs;
            std::set<std::string> have;
            for (const auto& r : runs) have.insert(r.uuid);
            for (const auto& b : input.baselines)
                if (have.insert(b.uuid).second) runs.push_back(b);
            write_text_file(out_path, export_json(runs));
            return {out_path};
        }
    }
    throw ExportError(out_path + ": unknown export format");
}

}  // namespace bench
