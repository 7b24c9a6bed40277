#include "app/system/model_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/system/sha256.h"

namespace bench::sys {
namespace fs = std::filesystem;

std::string cache_dir() {
    if (const char* d = std::getenv("TERNBENCH_CACHE_DIR"); d && *d) return d;
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/ternbench";
    if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/ternbench";
    return (fs::temp_directory_path() / "ternbench-cache").string();
}

std::string file_sha256_uncached(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
    Sha256 h;
    std::vector<char> buf(1 << 20);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        h.update(buf.data(), static_cast<size_t>(in.gcount()));
    }
    if (in.bad()) throw std::runtime_error("read error in " + path);
    return h.finish_hex();
}

std::string file_sha256(const std::string& path) {
    static std::mutex mu;  // runs on several threads (window) share one cache file
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0)
        throw std::runtime_error("cannot stat " + path + ": " + std::strerror(errno));
    std::error_code ec;
    const std::string abs = fs::absolute(path, ec).string();
    const int64_t size = st.st_size;
    const int64_t mtime_ns = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    // A file rewritten in place with its size and mtime restored (touch -r, cp -p) still has a
    // new ctime; one replaced by another file (rename) has a new inode.
    const int64_t ctime_ns = int64_t(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec;
    const auto inode = static_cast<int64_t>(st.st_ino), device = static_cast<int64_t>(st.st_dev);
    const fs::path cache = fs::path(cache_dir()) / "sha256-cache.json";

    std::lock_guard lock(mu);
    nlohmann::json db = nlohmann::json::object();
    if (std::ifstream in(cache); in) {
        db = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
        if (!db.is_object()) db = nlohmann::json::object();  // unreadable cache: start again
    }
    if (auto it = db.find(abs); it != db.end() && it->is_object() &&
                                it->value("size", int64_t(-1)) == size &&
                                it->value("mtime_ns", int64_t(-1)) == mtime_ns &&
                                it->value("ctime_ns", int64_t(-1)) == ctime_ns &&
                                it->value("inode", int64_t(-1)) == inode &&
                                it->value("device", int64_t(-1)) == device &&
                                it->contains("sha256") && (*it)["sha256"].is_string())
        return (*it)["sha256"].get<std::string>();

    const std::string hex = file_sha256_uncached(path);
    db[abs] = {{"size", size},   {"mtime_ns", mtime_ns}, {"ctime_ns", ctime_ns},
               {"inode", inode}, {"device", device},     {"sha256", hex}};
    fs::create_directories(cache.parent_path(), ec);
    const fs::path tmp = cache.string() + ".tmp" + std::to_string(::getpid());
    if (std::ofstream out(tmp); out) {
        out << db.dump(1);
        out.close();
        fs::rename(tmp, cache, ec);  // a failed cache write only costs a rehash later
    }
    return hex;
}

std::string evict_from_page_cache(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return "cannot open " + path + ": " + std::strerror(errno);
    int rc = ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
    if (rc != 0) return "posix_fadvise(DONTNEED) failed on " + path + ": " + std::strerror(rc);
    return {};
}

}  // namespace bench::sys
