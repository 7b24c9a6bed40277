// A corrupt, foreign, locked or read-only database gets a clear StoreError, and no data is
// lost or changed.
#include <QtTest>

#include <SQLiteCpp/Database.h>

#include <random>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db/run_store.h"
#include "store_test_support.h"

using namespace tbdb;

namespace {

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// Opening `path` must fail with a "corrupt" StoreError and leave the file byte for byte.
std::string expect_corrupt_untouched(const std::string& path) {
    const std::string before = tbtest::read_bytes(path);
    try {
        RunStore store(path);
        return "opened a corrupt file without error";
    } catch (const StoreError& e) {
        qInfo("%s", e.what());
        if (!contains(e.what(), path + " is not a ternbench database or is corrupt"))
            return std::string("unclear message: ") + e.what();
    }
    if (tbtest::read_bytes(path) != before) return "the file was modified";
    return "";
}

std::string make_store_with_runs(const std::string& path, int runs) {
    RunStore store(path);
    std::vector<RunRecord> records;
    for (int i = 0; i < runs; ++i) records.push_back(tbtest::full_run("single", i));
    store.insert_runs(records);
    return records.front().uuid;
}

// Checks made on a database this process cannot write (file and/or folder): reading works,
// every write is refused with a clear error, the file is unchanged. "" when all hold.
std::string read_only_checks(const std::string& path, const std::string& uuid) {
    const std::string before = tbtest::read_bytes(path);
    try {
        RunStore store(path);
        if (!store.read_only()) return "store did not notice it is read-only";
        auto run = store.load_run(uuid);
        if (!run || run->metrics.empty()) return "cannot read a stored run";
        if (store.list_runs().empty()) return "cannot list runs";
        try {
            RunRecord r = tbtest::full_run();
            store.begin_run(r);
            return "begin_run succeeded on a read-only database";
        } catch (const StoreError& e) {
            qInfo("%s", e.what());   // seen in the checking child's output
            if (!contains(e.what(), "cannot write to database " + path) ||
                !contains(e.what(), "read-only"))
                return std::string("unclear message: ") + e.what();
        }
        try {
            store.pin_run(run->id);
            return "pin_run succeeded on a read-only database";
        } catch (const StoreError&) {
        }
    } catch (const StoreError& e) {
        return std::string("opening failed: ") + e.what();
    }
    if (tbtest::read_bytes(path) != before) return "the file was modified";
    return "";
}

// Runs `check` as an unprivileged user when we are root (root ignores file permissions),
// in a child process; returns its message.
template <typename F>
std::string as_unprivileged(F check) {
    if (::geteuid() != 0) return check();
    int fds[2];
    if (::pipe(fds) != 0) return "pipe failed";
    const pid_t child = ::fork();
    if (child == 0) {
        ::close(fds[0]);
        std::string msg;
        if (::setgid(65534) != 0 || ::setuid(65534) != 0)
            msg = "cannot drop privileges";
        else
            msg = check();
        if (!msg.empty() && ::write(fds[1], msg.data(), msg.size()) < 0) _exit(3);
        _exit(msg.empty() ? 0 : 1);
    }
    ::close(fds[1]);
    std::string msg;
    char buf[512];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) msg.append(buf, size_t(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    if (msg.empty() && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
        return "checking child died (status " + std::to_string(status) + ")";
    return msg;
}

}  // namespace

class TestStoreErrors : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    int counter_ = 0;
    std::string fresh_path() {
        return dir_.filePath(QString("e%1.sqlite").arg(++counter_)).toStdString();
    }

private slots:
    void random_bytes() {
        const std::string path = fresh_path();
        std::mt19937 rng(42);
        std::string junk(8192, '\0');
        for (char& c : junk) c = static_cast<char>(rng());
        tbtest::write_bytes(path, junk);
        const std::string problem = expect_corrupt_untouched(path);
        QVERIFY2(problem.empty(), problem.c_str());
        QVERIFY(!QFile::exists(QString::fromStdString(path + "-wal")));
    }

    void short_text_file() {
        const std::string path = fresh_path();
        tbtest::write_bytes(path, "name,value\nfoo,1\n");
        const std::string problem = expect_corrupt_untouched(path);
        QVERIFY2(problem.empty(), problem.c_str());
    }

    void large_text_file() {
        const std::string path = fresh_path();
        tbtest::write_bytes(path, std::string(20000, 'x'));
        const std::string problem = expect_corrupt_untouched(path);
        QVERIFY2(problem.empty(), problem.c_str());
    }

    // A file whose size reads as 0 but that holds data (/proc, /sys) is no new database.
    void zero_size_file_with_data() {
        const std::string path = "/proc/self/status";
        if (!QFile::exists(QString::fromStdString(path))) QSKIP("no /proc here");
        try {
            RunStore store(path);
            QFAIL("opened /proc/self/status as a store");
        } catch (const StoreError& e) {
            QVERIFY2(contains(e.what(), "its size reads as 0 but it holds data"), e.what());
        }
    }

    void truncated_database() {
        const std::string original = fresh_path();
        make_store_with_runs(original, 60);
        const std::string bytes = tbtest::read_bytes(original);
        QVERIFY(bytes.size() > 64 * 1024);
        for (size_t cut : {bytes.size() / 2, bytes.size() / 2 + 100, size_t{4096 + 17}}) {
            const std::string path = fresh_path();
            tbtest::write_bytes(path, bytes.substr(0, cut));
            const std::string problem = expect_corrupt_untouched(path);
            QVERIFY2(problem.empty(), (problem + " (cut at " + std::to_string(cut) + ")").c_str());
        }
    }

    // Garbage over pages in the middle: never a crash; either opening says corrupt or the
    // integrity check reports it.
    void damaged_pages() {
        const std::string path = fresh_path();
        make_store_with_runs(path, 60);
        std::string bytes = tbtest::read_bytes(path);
        std::mt19937 rng(7);
        for (size_t i = 3 * 4096; i < 9 * 4096 && i < bytes.size(); ++i)
            bytes[i] = static_cast<char>(rng());
        tbtest::write_bytes(path, bytes);
        try {
            RunStore store(path);
            const auto problems = store.integrity_check();
            qInfo("integrity_check: %zu problems, first: %s", problems.size(),
                  problems.empty() ? "-" : problems[0].c_str());
            if (problems.empty()) {
                // Whatever got read must fail clearly, not crash.
                QVERIFY_THROWS_EXCEPTION(StoreError, store.list_runs());
            }
        } catch (const StoreError& e) {
            qInfo("%s", e.what());
            QVERIFY2(contains(e.what(), "is not a ternbench database or is corrupt"), e.what());
        }
    }

    void damaged_blob_is_a_clear_error() {
        const std::string path = fresh_path();
        const std::string uuid = make_store_with_runs(path, 1);
        {
            SQLite::Database raw(path, SQLite::OPEN_READWRITE);
            raw.exec("UPDATE requests SET token_times = x'010203'");
        }
        RunStore store(path);
        try {
            store.load_run(uuid);
            QFAIL("a damaged BLOB must not load silently");
        } catch (const StoreError& e) {
            QVERIFY2(contains(e.what(), path) && contains(e.what(), "not a multiple"), e.what());
        }
        QCOMPARE(store.list_runs().size(), size_t{1});   // the rest still reads
    }

    void empty_file_becomes_a_new_database() {
        const std::string path = fresh_path();
        tbtest::write_bytes(path, "");
        RunStore store(path);
        QCOMPARE(store.user_version(), RunStore::schema_version());
    }

    void locked_by_another_writer() {
        const std::string path = fresh_path();
        make_store_with_runs(path, 2);
        RunStore store(path, StoreOptions{false, 150});
        SQLite::Database other(path, SQLite::OPEN_READWRITE);
        other.exec("BEGIN EXCLUSIVE");
        other.exec("INSERT INTO implementations (name) VALUES ('held')");
        RunRecord r = tbtest::full_run();
        try {
            store.begin_run(r);
            QFAIL("begin_run should time out on the lock");
        } catch (const StoreError& e) {
            qInfo("%s", e.what());
            QVERIFY2(contains(e.what(), "database " + path + " is locked by another process"),
                     e.what());
        }
        QCOMPARE(store.list_runs().size(), size_t{2});   // WAL: reading goes on
        try {
            RunStore second(path, StoreOptions{false, 150});
            QCOMPARE(second.count_runs(), int64_t{2});
        } catch (const StoreError& e) {
            QFAIL(e.what());
        }
        other.exec("ROLLBACK");
        store.begin_run(r);   // works once the other writer is done
        QCOMPARE(store.count_runs(), int64_t{3});
        QVERIFY(store.integrity_check().empty());
    }

    // A database in rollback-journal mode (e.g. set by another tool) locked exclusively
    // cannot even be read: opening says so.
    void locked_at_open() {
        const std::string path = fresh_path();
        make_store_with_runs(path, 1);
        SQLite::Database other(path, SQLite::OPEN_READWRITE);
        other.exec("PRAGMA journal_mode = DELETE");
        other.exec("BEGIN EXCLUSIVE");
        other.exec("INSERT INTO implementations (name) VALUES ('held')");
        try {
            RunStore store(path, StoreOptions{false, 150});
            QFAIL("opening should fail on the exclusive lock");
        } catch (const StoreError& e) {
            QVERIFY2(contains(e.what(), "is locked by another process"), e.what());
        }
        other.exec("ROLLBACK");
        RunStore store(path);
        QCOMPARE(store.count_runs(), int64_t{1});
    }

    void opened_read_only() {
        const std::string path = fresh_path();
        const std::string uuid = make_store_with_runs(path, 3);
        const std::string before = tbtest::read_bytes(path);
        {
            RunStore store(path, true);
            QVERIFY(store.read_only());
            QCOMPARE(store.count_runs(), int64_t{3});
            QVERIFY(store.load_run(uuid));
            RunRecord r = tbtest::full_run();
            try {
                store.insert_run(r);
                QFAIL("insert_run should fail read-only");
            } catch (const StoreError& e) {
                QVERIFY2(contains(e.what(), "cannot write to database " + path), e.what());
            }
            QVERIFY_THROWS_EXCEPTION(StoreError, store.delete_run(1));
            QVERIFY(store.integrity_check().empty());
        }
        QCOMPARE(tbtest::read_bytes(path), before);
        const std::string missing = dir_.filePath("nowhere/none.sqlite").toStdString();
        QVERIFY_THROWS_EXCEPTION(StoreError, RunStore(missing, true));
        QVERIFY(!QDir(dir_.filePath("nowhere")).exists());
    }

    void read_only_file_and_folder() {
        // A folder the unprivileged checker can enter but not write, holding a file it
        // cannot write either.
        const QString folder = dir_.filePath("ro");
        QVERIFY(QDir().mkpath(folder));
        const std::string path = (folder + "/runs.sqlite").toStdString();
        const std::string uuid = make_store_with_runs(path, 3);
        ::chmod(dir_.path().toLocal8Bit().constData(), 0755);
        ::chmod(path.c_str(), 0444);
        ::chmod(folder.toLocal8Bit().constData(), 0555);
        const std::string fresh = (folder + "/new.sqlite").toStdString();
        const std::string problem = as_unprivileged([&]() -> std::string {
            try {
                RunStore store(fresh);
                return "created a database in a read-only folder";
            } catch (const StoreError& e) {
                if (!contains(e.what(), "cannot create database " + fresh))
                    return std::string("unclear message: ") + e.what();
            }
            return read_only_checks(path, uuid);
        });
        ::chmod(folder.toLocal8Bit().constData(), 0755);
        ::chmod(path.c_str(), 0644);
        QVERIFY2(problem.empty(), problem.c_str());
        RunStore store(path);   // and nothing was lost
        QCOMPARE(store.count_runs(), int64_t{3});
    }

    void read_only_file_in_writable_folder() {
        const QString folder = dir_.filePath("rw");
        QVERIFY(QDir().mkpath(folder));
        const std::string path = (folder + "/runs.sqlite").toStdString();
        const std::string uuid = make_store_with_runs(path, 2);
        ::chmod(dir_.path().toLocal8Bit().constData(), 0755);
        ::chmod(folder.toLocal8Bit().constData(), 0777);
        ::chmod(path.c_str(), 0444);
        const std::string problem = as_unprivileged([&] { return read_only_checks(path, uuid); });
        ::chmod(path.c_str(), 0644);
        QVERIFY2(problem.empty(), problem.c_str());
        RunStore store(path);
        QCOMPARE(store.count_runs(), int64_t{2});
        QVERIFY(store.integrity_check().empty());
    }

    void folder_cannot_be_created() {
        const QString blocker = dir_.filePath("blocker");
        tbtest::write_bytes(blocker.toStdString(), "a file where a folder should be");
        try {
            RunStore store((blocker + "/sub/runs.sqlite").toStdString());
            QFAIL("should not open under a file");
        } catch (const StoreError& e) {
            QVERIFY2(contains(e.what(), "cannot create the folder"), e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestStoreErrors)
#include "test_store_errors.moc"
