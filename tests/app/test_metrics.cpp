// The docs/ARCHITECTURE.md section 4 formulas on synthetic timestamps with known answers.
#include <QtTest>

#include "app/metrics/metric_builder.h"
#include "app/metrics/request_metrics.h"
#include "app/workloads/kernel_shares.h"

using namespace bench;
using namespace std::chrono;

class TestMetrics : public QObject {
    Q_OBJECT

    // Submit at t0 + submit_ms, tokens at the given absolute ms.
    static tern::GenerationResult result(metrics::Clock::time_point t0, double submit_ms,
                                         std::vector<double> token_ms, int prompt_tokens = 4) {
        tern::GenerationResult r;
        auto at = [t0](double ms) { return t0 + duration_cast<metrics::Clock::duration>(duration<double, std::milli>(ms)); };
        r.submitted = at(submit_ms);
        r.prompt_tokens = prompt_tokens;
        for (double t : token_ms) {
            r.token_times.push_back(at(t));
            r.tokens.push_back(1);
        }
        if (!token_ms.empty()) {
            r.first_token = r.token_times.front();
            r.last_token = r.token_times.back();
        }
        return r;
    }

private slots:
    void ttft_e2e_tpot_itl() {
        const auto t0 = metrics::Clock::now();
        // submitted at 10 ms, tokens at 60, 80, 110, 150 ms.
        auto rec = metrics::to_request_record(result(t0, 10, {60, 80, 110, 150}), t0, 3, 1);
        QCOMPARE(rec.index, 3);
        QCOMPARE(rec.repetition, 1);
        QCOMPARE(rec.output_tokens, 4);
        QVERIFY(std::abs(rec.submit_ms - 10) < 1e-3);
        QVERIFY(std::abs(*rec.ttft_ms - 50) < 1e-3);   // 60 - 10
        QVERIFY(std::abs(*rec.e2e_ms - 140) < 1e-3);   // 150 - 10
        QVERIFY(std::abs(*metrics::tpot_ms(rec) - 30) < 1e-3);  // (140 - 50) / 3
        QVERIFY(std::abs(*metrics::decode_tok_s(rec) - 1000.0 / 30) < 1e-2);
        const auto itl = metrics::itl_ms(rec);
        QCOMPARE(itl.size(), size_t(3));
        QVERIFY(std::abs(itl[0] - 20) < 1e-3 && std::abs(itl[1] - 30) < 1e-3 && std::abs(itl[2] - 40) < 1e-3);
    }

    void single_token_has_no_tpot() {
        const auto t0 = metrics::Clock::now();
        auto rec = metrics::to_request_record(result(t0, 0, {25}), t0, 0, 0);
        QVERIFY(rec.ttft_ms.has_value());
        QVERIFY(!metrics::tpot_ms(rec).has_value());
        QVERIFY(metrics::itl_ms(rec).empty());
    }

    void no_tokens_leaves_latency_missing() {
        const auto t0 = metrics::Clock::now();
        auto rec = metrics::to_request_record(result(t0, 5, {}), t0, 0, 0);
        QVERIFY(!rec.ttft_ms && !rec.e2e_ms);
        QVERIFY(!metrics::output_tok_s({rec}).has_value());
        QVERIFY(!metrics::decode_aggregate_tok_s({rec}).has_value());
    }

    void output_throughput_spans_first_submit_to_last_token() {
        const auto t0 = metrics::Clock::now();
        std::vector<tbdb::RequestRecord> reqs = {
            metrics::to_request_record(result(t0, 0, {100, 200, 300}), t0, 0, 0),
            metrics::to_request_record(result(t0, 50, {150, 250, 350, 450, 500}), t0, 1, 0)};
        // 8 tokens over 500 ms (first submit 0, last token 500) = 16 tok/s.
        QVERIFY(std::abs(*metrics::output_tok_s(reqs) - 16.0) < 1e-6);
        QVERIFY(std::abs(*metrics::makespan_ms(reqs) - 500.0) < 1e-3);
        // Decoding together: 2 + 4 tokens after the first ones, from 100 ms to 500 ms = 15 tok/s.
        QVERIFY(std::abs(*metrics::decode_aggregate_tok_s(reqs) - 15.0) < 1e-6);
        // One request alone: its own decode rate (2 tokens in 200 ms).
        QVERIFY(std::abs(*metrics::decode_aggregate_tok_s({reqs[0]}) - 10.0) < 1e-6);
        const auto lat = metrics::collect_latencies(reqs);
        QCOMPARE(lat.ttft.size(), size_t(2));
        QCOMPARE(lat.itl.size(), size_t(2 + 4));
    }

    void builder_names_percentiles_and_marks_missing() {
        std::vector<tbdb::Metric> out;
        metrics::MetricBuilder mb(out);
        std::vector<double> v;
        for (int i = 1; i <= 11; ++i) v.push_back(i);
        mb.add_percentiles("e2e_ms", v, {50, 90, 99}, "ms");
        auto find = [&](const std::string& n) -> const tbdb::Metric* {
            for (const auto& m : out) if (m.name == n) return &m;
            return nullptr;
        };
        QVERIFY(find("e2e_ms_p50") && find("e2e_ms_p50")->value);
        QCOMPARE(*find("e2e_ms_p50")->value, 6.0);
        QVERIFY(find("e2e_ms_p90")->value.has_value());   // 11 >= 10 samples
        QVERIFY(!find("e2e_ms_p99")->value.has_value());  // needs 100: missing, with a note
        QVERIFY(!find("e2e_ms_p99")->note.empty());
        QCOMPARE(find("e2e_ms_p50")->unit, std::string("ms"));
        mb.add_summary("tok_s", {10, 20, 30}, "tok/s");
        QCOMPARE(*find("tok_s")->value, 20.0);
        QCOMPARE(*find("tok_s_median")->value, 20.0);
        QCOMPARE(*find("tok_s_stddev")->value, 10.0);
        QCOMPARE(find("tok_s")->n, int64_t(3));
    }

    void kernelRoofShares() {
        // The `kernel` workload's shares: within the roofs a percentage; above one (a disturbed
        // roof reading) missing with both figures in the note, never clamped to 100.
        std::vector<tbdb::Metric> out;
        metrics::MetricBuilder mb(out);
        auto find = [&](const std::string& name) -> const tbdb::Metric* {
            for (const auto& m : out)
                if (m.name == name) return &m;
            return nullptr;
        };
        const std::map<std::string, double> peaks = {{"vpdpbusd_zmm", 700.0}};
        tern::KernelBenchResult gemv;
        gemv.m = 1, gemv.family = "vpdpbusd_zmm", gemv.gops = 150, gemv.weight_gbs = 20, gemv.repetitions = 5;
        add_roof_shares(mb, "a", gemv, 25.0, peaks);
        QCOMPARE(*find("roofline_pct_a")->value, 80.0);
        QVERIFY(!find("compute_pct_a"));  // decode is not judged against the multiply roof
        tern::KernelBenchResult gemm = gemv;
        gemm.m = 64, gemm.gops = 735, gemm.weight_gbs = 0.5;
        add_roof_shares(mb, "b", gemm, 25.0, peaks);
        QCOMPARE(*find("roofline_pct_b")->value, 2.0);
        const tbdb::Metric* over = find("compute_pct_b");
        QVERIFY(over && !over->value);
        QVERIFY2(over->note.find("735") != std::string::npos && over->note.find("700") != std::string::npos, over->note.c_str());
        QCOMPARE(over->n, int64_t(5));
        tern::KernelBenchResult unknown = gemm;
        unknown.family = "maddubs_ymm";  // no peak measured for it: no share
        add_roof_shares(mb, "c", unknown, 0.0, peaks);
        QVERIFY(!find("compute_pct_c") && !find("roofline_pct_c"));
    }
};

QTEST_APPLESS_MAIN(TestMetrics)
#include "test_metrics.moc"
