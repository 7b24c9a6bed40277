#pragma once
// The model file as a file: its sha256 (computed once, then cached by path,
// size, mtime, ctime, device and inode) and
// eviction of its pages from the page cache for cold-start measurements.
#include <cstdint>
#include <string>

namespace bench::sys {

// Hex sha256 of the file. Uses the cache file (cache_dir()/sha256-cache.json) when path, size,
// mtime, ctime, device and inode match; otherwise hashes and records it. Throws std::runtime_error when unreadable.
std::string file_sha256(const std::string& path);
// Hashes without the cache.
std::string file_sha256_uncached(const std::string& path);

// $TERNBENCH_CACHE_DIR, else $XDG_CACHE_HOME/ternbench, else ~/.cache/ternbench.
std::string cache_dir();

// posix_fadvise(DONTNEED) over the whole file so the next read comes from disk. Returns an empty
// string on success, else why it failed.
std::string evict_from_page_cache(const std::string& path);

}  // namespace bench::sys
