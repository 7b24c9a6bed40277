// Engine options from a spec (app/core/engine_options.h): the one place every workload gets
// its session and scheduler settings from, so n_ctx and the KV type mean the same everywhere.
#include <QtTest>

#include "app/core/engine_options.h"

using namespace bench;

class TestEngineOptions : public QObject {
    Q_OBJECT
private slots:
    void session_follows_the_spec() {
        BenchmarkSpec spec;
        spec.n_ctx = 1536;
        auto so = session_options(spec, 3);
        QCOMPARE(so.threads, 3);
        QCOMPARE(so.n_ctx, int64_t{1536});
        QVERIFY(so.kv_f16);                 // the spec's default KV type is F16
        spec.kv_type = KvType::F32;
        QVERIFY(!session_options(spec, 1).kv_f16);
    }
    void scheduler_follows_the_spec() {
        BenchmarkSpec spec;
        spec.kv_type = KvType::F32;
        spec.n_ctx = 512;
        auto so = scheduler_options(spec, 2, 8);
        QCOMPARE(so.threads, 2);
        QCOMPARE(so.max_batch, 8);
        QCOMPARE(so.n_ctx, int64_t{512});
        QVERIFY(!so.kv_f16);
        spec.kv_type = KvType::F16;
        QVERIFY(scheduler_options(spec, 2, 1).kv_f16);
    }
};

QTEST_GUILESS_MAIN(TestEngineOptions)
#include "test_engine_options.moc"
