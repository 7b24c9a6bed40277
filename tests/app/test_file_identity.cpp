// A model file is what its bytes are: the sha256 cache notices a file rewritten in place with
// its size and mtime restored (ctime) or replaced by another (inode), and a damaged cached demo
// model is made again instead of measured.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "app/system/demo_cache.h"
#include "app/system/model_file.h"

using namespace bench;

namespace {

void write_keeping_size_and_mtime(const std::string& path, std::streamoff offset, char byte) {
    struct stat before {};
    ::stat(path.c_str(), &before);
    {
        std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(offset);
        f.put(byte);
    }
    const timespec times[2] = {before.st_atim, before.st_mtim};   // as `touch -r` would
    ::utimensat(AT_FDCWD, path.c_str(), times, 0);
}

}  // namespace

class TestFileIdentity : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        qputenv("TERNBENCH_CACHE_DIR", dir_.filePath("cache").toUtf8());
    }

    // Regression: the cache was keyed on size and mtime only.
    void sha256_cache_sees_a_rewrite_with_restored_mtime() {
        const std::string path = dir_.filePath("model.bin").toStdString();
        std::ofstream(path) << std::string(4096, 'a');
        const std::string first = sys::file_sha256(path);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));   // a ctime tick apart
        write_keeping_size_and_mtime(path, 100, 'b');
        const std::string second = sys::file_sha256(path);
        QVERIFY(first != second);
        QCOMPARE(second, sys::file_sha256_uncached(path));
    }

    void sha256_cache_sees_a_replaced_file() {
        const std::string path = dir_.filePath("replaced.bin").toStdString();
        const std::string other = dir_.filePath("other.bin").toStdString();
        std::ofstream(path) << std::string(1000, 'x');
        const std::string first = sys::file_sha256(path);
        std::ofstream(other) << std::string(1000, 'y');
        struct stat st {};
        ::stat(path.c_str(), &st);
        const timespec times[2] = {st.st_atim, st.st_mtim};
        ::utimensat(AT_FDCWD, other.c_str(), times, 0);
        std::filesystem::rename(other, path);
        QVERIFY(sys::file_sha256(path) != first);
    }

    // Regression: a corrupted cached demo model was used silently (only its sha changed).
    void damaged_demo_model_is_made_again() {
        tern::DemoSpec spec;
        spec.preset = "tiny";
        const std::string path = sys::ensure_verified_demo_model(spec);
        const std::string good = sys::file_sha256_uncached(path);
        QVERIFY(std::filesystem::exists(path + ".sha256"));
        const auto size = std::filesystem::file_size(path);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        write_keeping_size_and_mtime(path, static_cast<std::streamoff>(size - 10), '\x55');
        QVERIFY(sys::file_sha256_uncached(path) != good);
        QCOMPARE(sys::ensure_verified_demo_model(spec), path);
        QCOMPARE(sys::file_sha256_uncached(path), good);
        // A cached file without its record cannot be verified: it is made again too.
        std::filesystem::remove(path + ".sha256");
        QCOMPARE(sys::ensure_verified_demo_model(spec), path);
        QVERIFY(std::filesystem::exists(path + ".sha256"));
        QCOMPARE(sys::file_sha256_uncached(path), good);
    }

    // Regression (found in review): two processes preparing the same cached demo model could
    // delete the file the other had just made, before its record was written. The cache file
    // is now prepared under an exclusive lock on "<file>.lock" (a second open file description
    // conflicts like another process would).
    void demo_model_waits_for_another_process_lock() {
        tern::DemoSpec spec;
        spec.preset = "tiny";
        const std::string path = sys::ensure_verified_demo_model(spec);
        const int fd = ::open((path + ".lock").c_str(), O_RDWR | O_CLOEXEC);
        QVERIFY(fd >= 0);
        QCOMPARE(::flock(fd, LOCK_EX), 0);
        std::atomic<bool> done{false};
        std::string got;
        std::thread other([&] {
            got = sys::ensure_verified_demo_model(spec);
            done = true;
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        const bool returned_while_locked = done.load();
        ::close(fd);  // releases the lock
        other.join();
        QVERIFY(!returned_while_locked);
        QCOMPARE(got, path);
    }
};

QTEST_APPLESS_MAIN(TestFileIdentity)
#include "test_file_identity.moc"
