#include "app/core/run_saver.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "app/reports/json_export.h"

namespace bench {
namespace {

// Writes text to path (fsync'd through close); returns an error message, empty on success.
std::string write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) return std::strerror(errno);
    out << text;
    out.flush();
    if (!out) return std::strerror(errno ? errno : EIO);
    return {};
}

}  // namespace

std::string spill_path(const std::string& store_path, const std::string& uuid) {
    return store_path + ".unsaved-" + (uuid.empty() ? std::string("run") : uuid) + ".json";
}

void save_or_spill(tbdb::RunStore& store, const std::vector<tbdb::RunRecord>& runs,
                   const std::function<void()>& write, const SaveRetry& retry) {
    std::string last_error;
    for (int attempt = 1; attempt <= std::max(1, retry.attempts); ++attempt) {
        try {
            write();
            return;
        } catch (const tbdb::StoreError& e) {
            last_error = e.what();
        }
        if (attempt < retry.attempts) std::this_thread::sleep_for(retry.pause);
    }
    const std::string text = export_json(runs);
    const std::string uuid = runs.empty() ? std::string() : runs.front().uuid;
    std::vector<std::string> candidates = {spill_path(store.path(), uuid)};
    std::error_code ec;
    const auto tmp = std::filesystem::temp_directory_path(ec);
    if (!ec)
        candidates.push_back((tmp / std::filesystem::path(spill_path(store.path(), uuid)).filename()).string());
    std::string failures;
    for (const auto& path : candidates) {
        const std::string err = write_file(path, text);
        if (err.empty())
            throw tbdb::StoreError(last_error + "\nThe measurements were NOT lost: they are in " + path +
                                   "; store them later with `ternbench import " + path + " --db " + store.path() +
                                   "`");
        failures += "; " + path + ": " + err;
    }
    throw tbdb::StoreError(last_error + "\nThe measurements could not be written to a file either" + failures);
}

}  // namespace bench
