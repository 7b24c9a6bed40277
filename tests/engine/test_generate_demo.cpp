// Generation on the deterministic demo models (engine/demo): every type and arch of the tiny
// preset loads, produces text, and sampling is reproducible for a seed.
#include <QtTest>

#include "engine/demo/demo_model.h"
#include "engine/model/model.h"
#include "engine/runtime/generate.h"
#include "engine/runtime/scheduler.h"
#include "engine/runtime/session.h"

using namespace tern;

class TestGenerateDemo : public QObject {
    Q_OBJECT
private slots:
    void tiny_generates_text_data() {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<QString>("type");
        for (const char* arch : {"bitnet", "bitnet-b1.58"})
            for (const char* type : {"i2_s", "tq2_0", "tq1_0"})
                QTest::newRow(QString("%1/%2").arg(arch, type).toUtf8().constData()) << QString(arch) << QString(type);
    }
    void tiny_generates_text() {
        QFETCH(QString, arch);
        QFETCH(QString, type);
        DemoSpec spec;
        spec.preset = "tiny";
        spec.arch = arch.toStdString();
        spec.type = type.toStdString();
        spec.seed = 3;
        const auto model = Model::load(ensure_demo_model(spec));
        QCOMPARE(model->info().ternary_type, type.toUpper().toStdString());
        const auto prompt = model->tokenizer().encode("Once upon a time", true);
        QVERIFY(!prompt.empty());
        GenerationParams p;
        p.max_tokens = 16;
        p.stop_at_eog = false;
        p.sampling.temperature = 0.8f;
        p.sampling.top_k = 40;
        p.sampling.seed = 11;
        auto run = [&] {
            Session s(model, SessionOptions{128, 1, nullptr});
            return generate(s, prompt, p);
        };
        const auto a = run(), b = run();
        QCOMPARE(a.stop, StopReason::MaxTokens);
        QCOMPARE(a.tokens.size(), size_t(16));
        QVERIFY(!a.text.empty());
        QCOMPARE(a.tokens, b.tokens);
        QCOMPARE(a.text, b.text);

        // The same request through the batching scheduler gives the same tokens.
        GenerationResult viaScheduler;
        {
            Scheduler sched(model, SchedulerOptions{4, 128, 1});
            SchedulerRequest req;
            req.prompt = prompt;
            req.params = p;
            req.on_done = [&](const GenerationResult& r) { viaScheduler = r; };
            sched.submit(std::move(req));
            sched.wait_idle();
        }
        QCOMPARE(viaScheduler.tokens, a.tokens);
    }
};

QTEST_APPLESS_MAIN(TestGenerateDemo)
#include "test_generate_demo.moc"
