#include "app/system/demo_cache.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
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

// Another process (the window and a CLI run, or test programs run in parallel) may check or
// make the same file: one at a time, or one can delete as unverified the file the other has
// just made and not yet recorded. Without a lock file (an unwritable directory) the making
// below fails with its own error anyway.
class CacheFileLock {
public:
    explicit CacheFileLock(const std::string& path) {
        std::error_code ec;
        std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
        fd_ = ::open((path + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ >= 0)
            while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
            }
    }
    ~CacheFileLock() {
        if (fd_ >= 0) ::close(fd_);  // releases the lock
    }
    CacheFileLock(const CacheFileLock&) = delete;
    CacheFileLock& operator=(const CacheFileLock&) = delete;

private:
    int fd_ = -1;
};

}  // namespace

std::string ensure_verified_demo_model(const tern::DemoSpec& spec) {
    static std::mutex mu;   // the window may prepare two runs at once
    std::lock_guard lock(mu);
    const std::string path = tern::demo_model_cache_path(spec);
    const CacheFileLock other_processes(path);
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
    const std::string tmp = record + ".tmp-" + std::to_string(::getpid());
    if (std::ofstream out(tmp); out) {
        out << sha << "\n";
        out.close();
        std::filesystem::rename(tmp, record, ec);   // without a record it is only remade next time
    }
    return made;
}

}  // namespace bench::sys
