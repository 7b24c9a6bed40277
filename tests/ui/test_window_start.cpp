// `ternbench --db FILE --preset tiny` with a display opens the window on FILE (the real binary,
// offscreen): a GUI application starts (it loads a Qt platform plugin, which the headless path
// never does), the store is made at FILE, and nothing is benchmarked.
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "db/run_store.h"

class TestWindowStart : public QObject {
    Q_OBJECT
private slots:
    void db_flag_opens_the_window_on_that_store() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString db = dir.filePath("chosen.sqlite");
        QProcess p;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("DISPLAY", ":0");                  // "a display exists"; drawn offscreen
        env.remove("WAYLAND_DISPLAY");
        env.insert("QT_QPA_PLATFORM", "offscreen");
        env.insert("XDG_CONFIG_HOME", dir.filePath("config"));
        env.insert("HOME", dir.path());
        env.insert("XDG_DATA_HOME", dir.filePath("data"));
        env.insert("QT_DEBUG_PLUGINS", "1");          // names the platform plugin it loads
        p.setProcessEnvironment(env);
        p.start(TB_TERNBENCH_EXE, {"--db", db, "--preset", "tiny"});
        QVERIFY(p.waitForStarted());
        // The window's pages read the store at once, which creates it (a hang bound, not timing).
        QByteArray err;
        QTRY_VERIFY_WITH_TIMEOUT((err += p.readAllStandardError(), QFileInfo::exists(db) && err.contains("platforms")),
                                 60000);
        QCOMPARE(p.state(), QProcess::Running);    // in the event loop
        p.terminate();
        if (!p.waitForFinished(20000)) {
            p.kill();
            p.waitForFinished(5000);
        }
        QVERIFY2(!p.readAllStandardOutput().contains("tok/s"), "a headless report was printed");
        tbdb::RunStore store(db.toStdString());
        QCOMPARE(store.list_runs({}).size(), size_t(0));  // nothing was benchmarked
    }
};

QTEST_GUILESS_MAIN(TestWindowStart)
#include "test_window_start.moc"
