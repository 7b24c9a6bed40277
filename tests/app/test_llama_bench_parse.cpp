// llama-bench outputs (real fixtures from upstream llama.cpp and bitnet.cpp, see
// tests/fixtures/README.md) and garbage.
#include <QtTest>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app/legacy/llama_bench_parser.h"
#include "app/reports/run_labels.h"

using namespace bench;

namespace {

std::string fixture(const std::string& name) {
    std::ifstream in(std::string(TB_FIXTURES_DIR) + "/llama-bench/" + name, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

double metric_value(const tbdb::RunRecord& r, const std::string& name) {
    const auto* m = r.metric(name);
    if (!m || !m->value) throw std::runtime_error("no value for " + name);
    return *m->value;
}

std::vector<double> series(const tbdb::RunRecord& r, const std::string& name) {
    for (const auto& s : r.samples)
        if (s.name == name) return s.values;
    return {};
}

// The error message of parsing text, or "" when it parsed.
std::string error_of(const std::string& text, LlamaBenchFormat f, const std::string& origin = "bad.file") {
    try {
        parse_llama_bench(text, f, origin);
    } catch (const LlamaBenchError& e) {
        return e.what();
    }
    return {};
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

class TestLlamaBenchParse : public QObject {
    Q_OBJECT
private slots:
    void upstreamJson() {
        const auto res = parse_llama_bench(fixture("llamacpp-tiny-tq2_0.json"), LlamaBenchFormat::Json, "x.json");
        QCOMPARE(res.runs.size(), size_t(4));
        const auto& r = res.runs[0];
        QCOMPARE(QString::fromStdString(r.workload), QString("pp"));
        QCOMPARE(QString::fromStdString(workload_label(r)), QString("pp64"));
        QCOMPARE(QString::fromStdString(workload_label(res.runs[1])), QString("tg32"));
        QCOMPARE(QString::fromStdString(res.runs[1].workload), QString("tg"));
        QCOMPARE(QString::fromStdString(r.implementation), QString("llama.cpp"));
        QCOMPARE(QString::fromStdString(r.impl_version), QString("3f545becc"));
        QVERIFY(r.kernel.empty());
        QVERIFY(r.status == tbdb::RunStatus::Completed);
        QCOMPARE(r.threads, 1);
        QCOMPARE(res.runs[2].threads, 2);
        QCOMPARE(QString::fromStdString(r.started_at), QString("2026-11-27T00:30:11.000Z"));  // one run-time format
        QCOMPARE(QString::fromStdString(r.model.path), QString("models/tiny-tq2_0.gguf"));
        QCOMPARE(r.model.size_bytes, int64_t(804864));
        QCOMPARE(r.model.n_params, int64_t(2757888));
        QCOMPARE(QString::fromStdString(r.model.arch), QString("bitnet"));
        QCOMPARE(QString::fromStdString(r.model.ternary_type), QString("TQ2_0"));
        QCOMPARE(QString::fromStdString(r.host.cpu_model), QString("AMD EPYC"));
        QCOMPARE(metric_value(r, "tok_s"), 7565.507674);
        QCOMPARE(metric_value(r, "tok_s_stddev"), 843.763305);
        QCOMPARE(metric_value(r, "tok_s_median"), 7929.64);
        QCOMPARE(metric_value(r, "tok_s_min"), 6600.82);
        QCOMPARE(metric_value(r, "test_ms"), 8.534687);
        QCOMPARE(r.metric("tok_s")->n, int64_t(3));
        QCOMPARE(QString::fromStdString(r.metric("tok_s")->unit), QString("tok/s"));
        QCOMPARE(series(r, "tok_s"), (std::vector<double>{8166.06, 7929.64, 6600.82}));
        QCOMPARE(series(r, "ns"), (std::vector<double>{7837316, 8070985, 9695761}));
        QCOMPARE(series(res.runs[1], "tok_s"), (std::vector<double>{4585, 4255.85, 5290.97}));
        // Every parameter is kept in the config; results are not.
        const auto cfg = nlohmann::json::parse(r.config_json);
        QCOMPARE(cfg["n_prompt"].get<int>(), 64);
        QCOMPARE(cfg["backends"].get<std::string>(), std::string("CPU"));
        QCOMPARE(cfg["test"].get<std::string>(), std::string("pp64"));
        QVERIFY(!cfg.contains("avg_ts") && !cfg.contains("samples_ts"));
        // Same content, same uuid; different tests, different uuids.
        const auto again = parse_llama_bench(fixture("llamacpp-tiny-tq2_0.json"), LlamaBenchFormat::Json, "y.json");
        QCOMPARE(again.runs[0].uuid, r.uuid);
        QVERIFY(res.runs[1].uuid != r.uuid);
        QCOMPARE(r.uuid.size(), size_t(36));
    }

    void upstreamJsonl() {
        const auto res = parse_llama_bench(fixture("llamacpp-tiny-tq2_0.jsonl"), LlamaBenchFormat::Jsonl, "x.jsonl");
        QCOMPARE(res.runs.size(), size_t(4));
        QCOMPARE(metric_value(res.runs[0], "tok_s"), 7081.998172);
        QCOMPARE(series(res.runs[3], "tok_s"), (std::vector<double>{4936.47, 5093.45, 4723.37}));
        QCOMPARE(QString::fromStdString(res.runs[3].workload), QString("tg"));
    }

    void upstreamCsvWithoutSamples() {
        const auto res = parse_llama_bench(fixture("llamacpp-tiny-tq2_0.csv"), LlamaBenchFormat::Csv, "x.csv");
        QCOMPARE(res.runs.size(), size_t(4));
        const auto& r = res.runs[0];
        QCOMPARE(metric_value(r, "tok_s"), 7923.497252);
        QCOMPARE(metric_value(r, "tok_s_stddev"), 1001.073251);
        QCOMPARE(metric_value(r, "test_ms"), 8.160448);
        QVERIFY(r.samples.empty());   // the CSV has no samples: none invented
        const auto* med = r.metric("tok_s_median");
        QVERIFY(med && !med->value);
        QVERIFY(has(med->note, "no per-repetition samples"));
        QCOMPARE(res.runs[3].threads, 2);
        QCOMPARE(QString::fromStdString(res.runs[3].started_at), QString("2026-11-27T00:30:12.000Z"));
        QCOMPARE(QString::fromStdString(res.runs[0].implementation), QString("llama.cpp"));
        QCOMPARE(nlohmann::json::parse(r.config_json)["n_threads"].get<int>(), 1);
    }

    void upstreamSql() {
        const auto res = parse_llama_bench(fixture("llamacpp-tiny-tq2_0.sql"), LlamaBenchFormat::Sql, "x.sql");
        QCOMPARE(res.runs.size(), size_t(4));
        QCOMPARE(metric_value(res.runs[0], "tok_s"), 6700.613277);
        QCOMPARE(metric_value(res.runs[3], "tok_s"), 4698.011083);
        QCOMPARE(QString::fromStdString(res.runs[1].workload), QString("tg"));
        QCOMPARE(res.runs[2].threads, 2);
        QCOMPARE(QString::fromStdString(res.runs[0].impl_version), QString("3f545becc"));
    }

    void bitnetCppFieldSet() {
        const auto js = parse_llama_bench(fixture("bitnetcpp-tiny-i2_s.json"), LlamaBenchFormat::Json, "b.json");
        QCOMPARE(js.runs.size(), size_t(2));
        for (const auto& r : js.runs) {
            QCOMPARE(QString::fromStdString(r.implementation), QString("bitnet.cpp"));
            QCOMPARE(QString::fromStdString(r.impl_version), QString("406a5036"));
            QCOMPARE(QString::fromStdString(r.model.ternary_type), QString("I2_S"));
            QCOMPARE(r.threads, 2);
        }
        QCOMPARE(metric_value(js.runs[0], "tok_s"), 8669.109140);
        QCOMPARE(series(js.runs[1], "tok_s"), (std::vector<double>{3156.16, 3366.07, 3087.48}));
        QVERIFY(has(nlohmann::json::parse(js.runs[0].config_json)["implementation_detected_by"].get<std::string>(),
                    "I2_S"));
        const auto csv = parse_llama_bench(fixture("bitnetcpp-tiny-i2_s.csv"), LlamaBenchFormat::Csv, "b.csv");
        QCOMPARE(csv.runs.size(), size_t(2));
        QCOMPARE(metric_value(csv.runs[0], "tok_s"), 8277.358757);
        QCOMPARE(QString::fromStdString(csv.runs[1].implementation), QString("bitnet.cpp"));
        const auto sql = parse_llama_bench(fixture("bitnetcpp-tiny-i2_s.sql"), LlamaBenchFormat::Sql, "b.sql");
        QCOMPARE(sql.runs.size(), size_t(2));
        QCOMPARE(metric_value(sql.runs[0], "tok_s"), 7739.858016);
        QCOMPARE(QString::fromStdString(sql.runs[1].workload), QString("tg"));
    }

    void implementationOverrideAndSource() {
        LlamaBenchOptions opt;
        opt.implementation = "bitnet.cpp";
        opt.source = "baseline:/opt/llama-bench";
        const auto res = parse_llama_bench(fixture("llamacpp-tiny-tq2_0.json"), LlamaBenchFormat::Json, "x", opt);
        QCOMPARE(QString::fromStdString(res.runs[0].implementation), QString("bitnet.cpp"));
        QCOMPARE(QString::fromStdString(res.runs[0].source), QString("baseline:/opt/llama-bench"));
    }

    void combinedAndDepthTests() {
        auto doc = nlohmann::json::parse(fixture("llamacpp-tiny-tq2_0.json"));
        auto t = doc[0];
        t["n_prompt"] = 512;
        t["n_gen"] = 128;
        t["n_depth"] = 1024;
        const auto res = parse_llama_bench(nlohmann::json::array({t}).dump(), LlamaBenchFormat::Json, "pg.json");
        QCOMPARE(QString::fromStdString(res.runs[0].workload), QString("pg"));
        QCOMPARE(QString::fromStdString(workload_label(res.runs[0])), QString("pp512+tg128 @ d1024"));
    }

    void garbage() {
        QVERIFY(has(error_of("", LlamaBenchFormat::Json), "bad.file: empty input"));
        QVERIFY(has(error_of(std::string("\x7f" "ELF\0\0\1", 7), LlamaBenchFormat::Json), "binary"));
        // Truncated JSON: names the file and the line where it broke.
        const std::string json = fixture("llamacpp-tiny-tq2_0.json");
        const std::string cut = json.substr(0, json.size() / 2);
        const std::string e1 = error_of(cut, LlamaBenchFormat::Json, "cut.json");
        QVERIFY2(has(e1, "cut.json:") && has(e1, "invalid JSON"), e1.c_str());
        const std::string jsonl = fixture("llamacpp-tiny-tq2_0.jsonl");
        const std::string e0 = error_of(jsonl.substr(0, jsonl.find('\n') + 1) + "{oops\n", LlamaBenchFormat::Jsonl, "l.jsonl");
        QVERIFY2(has(e0, "l.jsonl:2: invalid JSON"), e0.c_str());
        // Wrong columns: a row with a missing cell.
        std::string csv = fixture("llamacpp-tiny-tq2_0.csv");
        const auto second_line = csv.find('\n') + 1;
        csv.erase(second_line, csv.find(',', second_line) - second_line + 1);
        const std::string e2 = error_of(csv, LlamaBenchFormat::Csv, "w.csv");
        QVERIFY2(has(e2, "w.csv:2: expected 40 columns, got 39"), e2.c_str());
        QVERIFY(has(error_of("a,b,c\n1,2,3\n", LlamaBenchFormat::Csv, "o.csv"), "not a llama-bench CSV header"));
        // Missing and malformed fields name the test and the field.
        auto doc = nlohmann::json::parse(json);
        doc[1].erase("avg_ts");
        QVERIFY(has(error_of(doc.dump(), LlamaBenchFormat::Json, "m.json"), "m.json: test 2: field \"avg_ts\" is missing"));
        doc = nlohmann::json::parse(json);
        doc[0]["n_threads"] = "two";
        QVERIFY(has(error_of(doc.dump(), LlamaBenchFormat::Json), "field \"n_threads\" is not a number"));
        doc = nlohmann::json::parse(json);
        doc[0]["n_prompt"] = 0;
        doc[0]["n_gen"] = 0;
        QVERIFY(has(error_of(doc.dump(), LlamaBenchFormat::Json), "both 0"));
        doc = nlohmann::json::parse(json);
        doc[0]["samples_ts"] = nlohmann::json::array({1, "x"});
        QVERIFY(has(error_of(doc.dump(), LlamaBenchFormat::Json), "samples_ts"));
        QVERIFY(has(error_of("[]", LlamaBenchFormat::Json), "no tests"));
        QVERIFY(has(error_of("42", LlamaBenchFormat::Json), "expected a JSON array"));
        // SQL: truncated in a string, and statements we do not read.
        const std::string sql = fixture("llamacpp-tiny-tq2_0.sql");
        QVERIFY(has(error_of(sql.substr(0, sql.size() - 40), LlamaBenchFormat::Sql, "t.sql"), "t.sql:"));
        QVERIFY(has(error_of("DROP TABLE x;", LlamaBenchFormat::Sql, "d.sql"), "d.sql:1: expected INSERT or CREATE"));
        QVERIFY(has(error_of("INSERT INTO t (a, b) VALUES ('1');", LlamaBenchFormat::Sql), "2 columns but 1 values"));
        QVERIFY(has(error_of("CREATE TABLE t (a TEXT);", LlamaBenchFormat::Sql), "no INSERT statements"));
    }
};

QTEST_APPLESS_MAIN(TestLlamaBenchParse)
#include "test_llama_bench_parse.moc"
