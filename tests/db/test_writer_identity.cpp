// Who writes a running run: only a writer that is certainly gone makes it `interrupted`.
#include <QtTest>

#include <sys/wait.h>
#include <unistd.h>

#include "db/writer_identity.h"

using namespace tbdb;

class TestWriterIdentity : public QObject {
    Q_OBJECT

private slots:
    void this_process_is_alive() {
        const WriterIdentity me = current_writer();
        QCOMPARE(me.pid, static_cast<int64_t>(::getpid()));
        QVERIFY(me.start_ticks > 0);
        QVERIFY(!me.boot_id.empty());
        QVERIFY(writer_alive(me.pid, me.start_ticks, me.boot_id, me.host));
        QVERIFY(writer_alive(me.pid, std::nullopt, me.boot_id, std::nullopt));
    }

    void unknown_writer_is_gone() {
        const WriterIdentity me = current_writer();
        QVERIFY(!writer_alive(std::nullopt, std::nullopt, std::nullopt, std::nullopt));
        QVERIFY(!writer_alive(me.pid, me.start_ticks, std::nullopt, me.host));
        QVERIFY(!writer_alive(0, 0, me.boot_id, me.host));
    }

    void other_boot_is_gone() {
        const WriterIdentity me = current_writer();
        QVERIFY(!writer_alive(me.pid, me.start_ticks, std::string("another-boot"), me.host));
    }

    void recycled_pid_is_gone() {
        const WriterIdentity me = current_writer();
        QVERIFY(!writer_alive(me.pid, me.start_ticks + 12345, me.boot_id, me.host));
    }

    void exited_process_is_gone() {
        const pid_t child = ::fork();
        QVERIFY(child >= 0);
        if (child == 0) _exit(0);
        int status = 0;
        QCOMPARE(::waitpid(child, &status, 0), child);
        const WriterIdentity me = current_writer();
        QVERIFY(!writer_alive(child, std::nullopt, me.boot_id, me.host));
    }

    void zombie_is_gone() {
        const pid_t child = ::fork();
        QVERIFY(child >= 0);
        if (child == 0) _exit(0);
        // Not reaped yet: a zombie still has a pid but will never finish a run.
        for (int i = 0; i < 500; ++i) {
            QFile f(QString("/proc/%1/stat").arg(child));
            if (f.open(QIODevice::ReadOnly) && f.readAll().contains(") Z ")) break;
            QThread::msleep(10);
        }
        const WriterIdentity me = current_writer();
        QVERIFY(!writer_alive(child, std::nullopt, me.boot_id, me.host));
        int status = 0;
        ::waitpid(child, &status, 0);
    }

    void other_host_on_same_kernel_cannot_be_checked() {
        const WriterIdentity me = current_writer();
        QVERIFY(writer_alive(999999, 1, me.boot_id, std::string("some-container")));
    }
};

QTEST_APPLESS_MAIN(TestWriterIdentity)
#include "test_writer_identity.moc"
