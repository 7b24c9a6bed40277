// The engine's folders form layers that read bottom-up: a file may include headers of its own
// folder or of a lower layer, never of a higher one or a sibling on the same layer. And SIMD
// code lives in the kernel sets behind dispatch (engine/kernels/), apart from the listed
// exceptions that check the CPU themselves.
#include <QtTest>

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>

namespace {

// Layer of each engine/ folder (lower = closer to the floor).
const QMap<QString, int>& layers() {
    static const QMap<QString, int> m = {
        {"base", 0},                                 // errors, thread pool
        {"gguf", 1},                                 // file format
        {"tensor", 2}, {"kernels", 2}, {"tokenizer", 2},
        {"demo", 3},   {"bench", 3},                 // demo files, kernel benchmarks
        {"model", 4},                                // weights, forward pass, KV cache
        {"runtime", 5},                              // session, generate, scheduler, sampler
    };
    return m;
}

QString engine_dir() { return QDir(QStringLiteral(TB_FIXTURES_DIR "/../../engine")).absolutePath(); }

QStringList engine_sources() {
    QStringList out;
    QDirIterator it(engine_dir(), {"*.h", "*.cpp"}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) out << it.next();
    out.sort();
    return out;
}

// `#include "engine/<folder>/...`; plain string literals (moc 6.4 misreads these raw strings).
const QRegularExpression& include_pattern() {
    static const QRegularExpression re(QStringLiteral("^\\s*#\\s*include\\s+\"engine/([a-z_]+)/"));
    return re;
}

QString folder_of(const QString& path) {  // "model" for .../engine/model/x.cpp
    return QDir(engine_dir()).relativeFilePath(path).section('/', 0, 0);
}

}  // namespace

class TestEngineLayers : public QObject {
    Q_OBJECT
private slots:
    void everyFolderHasALayer() {
        const QStringList files = engine_sources();
        QVERIFY2(files.size() > 50, qPrintable("engine sources not found under " + engine_dir()));
        for (const QString& f : files) {
            if (!f.mid(engine_dir().size() + 1).contains('/')) continue;  // engine/CMakeLists etc.
            QVERIFY2(layers().contains(folder_of(f)), qPrintable(f + ": folder has no layer in this test"));
        }
    }

    void includesPointDown() {
        const QRegularExpression& inc = include_pattern();
        QStringList bad;
        for (const QString& f : engine_sources()) {
            QFile file(f);
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QString from = folder_of(f);
            int line_no = 0;
            for (const QByteArray& line : file.readAll().split('\n')) {
                ++line_no;
                const auto m = inc.match(QString::fromUtf8(line));
                if (!m.hasMatch()) continue;
                const QString to = m.captured(1);
                if (to == from) continue;
                if (!layers().contains(to) || layers()[to] >= layers()[from])
                    bad << QString("engine/%1 line %2 includes engine/%3 (layer %4 -> %5)")
                               .arg(QDir(engine_dir()).relativeFilePath(f)).arg(line_no).arg(to)
                               .arg(layers()[from]).arg(layers().value(to, -1));
            }
        }
        QVERIFY2(bad.isEmpty(), qPrintable(bad.join('\n')));
    }

    void simdOnlyBehindDispatch() {
        // Files outside engine/kernels/ allowed to hold intrinsics, and why.
        const QStringList allowed = {
            "base/thread_pool.cpp",     // _mm_pause in the spin-wait: a hint, no computation
            "tensor/float_codecs.cpp",  // F16C row decode at load time, below the kernels' layer; own CPUID check
        };
        const QRegularExpression simd(QStringLiteral("immintrin\\.h|__attribute__\\s*\\(\\(\\s*target|arm_neon\\.h"));
        QStringList bad;
        for (const QString& f : engine_sources()) {
            const QString rel = QDir(engine_dir()).relativeFilePath(f);
            if (rel.startsWith("kernels/") || allowed.contains(rel)) continue;
            QFile file(f);
            QVERIFY(file.open(QIODevice::ReadOnly));
            if (simd.match(QString::fromUtf8(file.readAll())).hasMatch()) bad << "engine/" + rel;
        }
        QVERIFY2(bad.isEmpty(), qPrintable("SIMD code outside engine/kernels/: " + bad.join(", ")));
    }

    // The check above would pass on an empty tree; make sure the pattern finds a real upward
    // include when there is one.
    void detectsAnUpwardInclude() {
        const QRegularExpression& inc = include_pattern();
        const auto m = inc.match(QStringLiteral("#include \"engine/runtime/session.h\""));
        QVERIFY(m.hasMatch());
        QVERIFY(layers()[m.captured(1)] > layers()["model"]);
    }
};

QTEST_APPLESS_MAIN(TestEngineLayers)
#include "test_engine_layers.moc"
