#include "app/system/demo_cache.h"

#include <filesystem>
#include <fstream>
#include <mutex>

#include "app/system/model_file.h"

namespace bench::sys {
namespace {

std::string read_record(const std::string& path) {
    std::ifstream in(path);
    std::string hex;
    in >> hex;
    return hex.size() == 64 ? hex : std::string();
}

}  // namespace

std::string ensure_verified_demo_model(const tern::DemoSpec& spec) {
    static std::mutex mu;   // the window may prepare two runs at once
    std::lock_guard lock(mu);
    const std::string path = tern::demo_model_cache_path(spec);
    const std::string record = path + ".sha256";
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) {
        const std::string want = read_record(record);
        // file_sha256 is cached by size, mtime, ctime and inode: cheap unless the file changed.
        if (!want.empty() && file_sha256(path) == want) return path;
        std::filesystem::remove(path, ec);   // damaged or unverifiable: made again below
    }
    const std::string made = tern::ensure_demo_model(spec);
    const std::string sha = file_sha256(made);
    const std::string tmp = record + ".tmp";
    if (std::ofstream out(tmp); out) {
        out << sha << "\n";
        out.close();
        std::filesystem::rename(tmp, record, ec);   // without a record it is only remade next time
    }
    return made;
}

}  // namespace bench::sys
