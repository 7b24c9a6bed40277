// The default headless run (`ternbench` with no subcommand and no display) through the real
// binary, on the tiny demo preset with a temporary database: one combined summary report of
// all its runs, then the details of each run.
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

class TestDefaultRun : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    struct Result {
        int code = -1;
        QString out, err;
    };
    Result ternbench(const QStringList& args) {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove("DISPLAY");           // headless: no window even when built with the UI
        env.remove("WAYLAND_DISPLAY");
        env.insert("XDG_DATA_HOME", dir_.filePath("data"));
        if (!env.contains("TERNBENCH_CACHE_DIR")) env.insert("TERNBENCH_CACHE_DIR", dir_.filePath("cache"));
        p.setProcessEnvironment(env);
        p.start(TB_TERNBENCH_EXE, args);
        Result r;
        if (!p.waitForStarted()) return r;
        p.waitForFinished(300000);
        r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = QString::fromUtf8(p.readAllStandardOutput());
        r.err = QString::fromUtf8(p.readAllStandardError());
        return r;
    }

private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void one_summary_then_details() {
        const QString db = dir_.filePath("default.sqlite");
        const auto r = ternbench({"--db", db, "--preset", "tiny"});
        QVERIFY2(r.code == 0, qPrintable(r.err));

        // The runs this invocation stored.
        const auto listed = ternbench({"list", "--db", db, "--json"});
        QCOMPARE(listed.code, 0);
        const auto runs = nlohmann::json::parse(listed.out.toStdString())["runs"];
        QVERIFY(runs.size() >= 2);

        const QStringList lines = r.out.split('\n');
        // Exactly one top-level heading: the combined report (per-run reports are sections of it).
        QStringList top;
        for (const auto& l : lines)
            if (l.startsWith("# ")) top << l;
        QVERIFY2(top.size() == 1, qPrintable(r.out));

        // The first table is the summary and names every run of this invocation.
        int first = -1, end = -1;
        for (int i = 0; i < lines.size(); ++i) {
            if (first < 0 && lines[i].startsWith('|')) first = i;
            if (first >= 0 && !lines[i].startsWith('|')) {
                end = i;
                break;
            }
        }
        QVERIFY2(first >= 0 && end > first, qPrintable(r.out));
        const QString summary = lines.mid(first, end - first).join('\n');
        for (const auto& run : runs) {
            const QString id = QString("| #%1 |").arg(run["id"].get<int>());
            QVERIFY2(summary.contains(id), qPrintable(id + " missing from the summary:\n" + summary));
            QVERIFY(summary.contains(QString::fromStdString(run["status"].get<std::string>())));
        }
        QVERIFY2(summary.contains("tok/s"), qPrintable(summary));

        // Details follow the summary, one section per run.
        const int summary_at = r.out.indexOf(summary);
        for (const auto& run : runs) {
            const int at = r.out.indexOf(QString("## Run #%1:").arg(run["id"].get<int>()));
            QVERIFY2(at > summary_at, qPrintable(r.out));
        }
    }

    void preset_before_a_subcommand_is_refused() {
        const auto r = ternbench({"--preset", "tiny", "list", "--db", dir_.filePath("other.sqlite")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("--preset"), qPrintable(r.err));
    }
};

QTEST_APPLESS_MAIN(TestDefaultRun)
#include "test_default_run.moc"
