// Which command lines open the window: only the top-level --db/--preset flags with a display.
// A subcommand, --help, --version, a stray argument or no display go to the command line.
#include <QtTest>

#include "app/cli/cli.h"

using bench::cli::window_start;

class TestWindowStart : public QObject {
    Q_OBJECT
private slots:
    void no_arguments_opens_the_window() {
        auto s = window_start({}, true);
        QVERIFY(s.has_value());
        QVERIFY(s->db.empty());
        QVERIFY(s->preset.empty());
    }
    void db_and_preset_are_not_subcommands() {
        auto s = window_start({"--db", "/tmp/x.sqlite", "--preset=tiny"}, true);
        QVERIFY(s.has_value());
        QCOMPARE(QString::fromStdString(s->db), QString("/tmp/x.sqlite"));
        QCOMPARE(QString::fromStdString(s->preset), QString("tiny"));
        s = window_start({"--db=/tmp/y.sqlite"}, true);
        QVERIFY(s.has_value());
        QCOMPARE(QString::fromStdString(s->db), QString("/tmp/y.sqlite"));
    }
    void anything_else_goes_to_the_command_line() {
        QVERIFY(!window_start({"list"}, true));
        QVERIFY(!window_start({"--db", "x.sqlite", "list"}, true));
        QVERIFY(!window_start({"--help"}, true));
        QVERIFY(!window_start({"--version"}, true));
        QVERIFY(!window_start({"--db"}, true));           // missing value: the CLI reports it
        QVERIFY(!window_start({"--threads", "2"}, true));  // not a top-level flag
    }
    void no_display_runs_headless() {
        QVERIFY(!window_start({}, false));
        QVERIFY(!window_start({"--db", "x.sqlite"}, false));
    }
};

QTEST_GUILESS_MAIN(TestWindowStart)
#include "test_window_start.moc"
