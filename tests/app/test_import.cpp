// `ternbench import`: format detection from content, llama-bench files, and lossless round
// trips of our own JSON and CSV exports.
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/legacy/importer.h"
#include "app/reports/csv_export.h"
#include "app/reports/export_writer.h"
#include "app/reports/json_export.h"
#include "test_report_fixtures.h"

using namespace bench;

namespace {

const std::string kLb = std::string(TB_FIXTURES_DIR) + "/llama-bench/";

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
void write_file(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

std::string import_error(const std::string& path) {
    try {
        import_file(path);
    } catch (const ImportError& e) {
        return e.what();
    }
    return {};
}

QString q(const std::string& s) { return QString::fromStdString(s); }

// Fields both exports carry.
void compare_csv_fields(const tbdb::RunRecord& a, const tbdb::RunRecord& b) {
    QCOMPARE(a.id, b.id);
    QCOMPARE(q(a.uuid), q(b.uuid));
    QCOMPARE(q(a.workload), q(b.workload));
    QCOMPARE(q(a.implementation), q(b.implementation));
    QCOMPARE(q(a.kernel), q(b.kernel));
    QCOMPARE(q(a.model.path), q(b.model.path));
    QCOMPARE(q(a.model.sha256), q(b.model.sha256));
    QCOMPARE(a.threads, b.threads);
    QVERIFY(a.status == b.status);
    QCOMPARE(q(a.impl_version), q(b.impl_version));
    QCOMPARE(q(a.started_at), q(b.started_at));
    QCOMPARE(a.metrics.size(), b.metrics.size());
    for (size_t i = 0; i < a.metrics.size(); ++i) {
        QCOMPARE(q(a.metrics[i].name), q(b.metrics[i].name));
        QCOMPARE(a.metrics[i].value.has_value(), b.metrics[i].value.has_value());
        if (a.metrics[i].value) QCOMPARE(*a.metrics[i].value, *b.metrics[i].value);   // bit-exact
        QCOMPARE(q(a.metrics[i].unit), q(b.metrics[i].unit));
        QCOMPARE(a.metrics[i].n, b.metrics[i].n);
        QCOMPARE(q(a.metrics[i].note), q(b.metrics[i].note));
    }
    QCOMPARE(a.samples.size(), b.samples.size());
    for (size_t i = 0; i < a.samples.size(); ++i) {
        QCOMPARE(q(a.samples[i].name), q(b.samples[i].name));
        QCOMPARE(q(a.samples[i].unit), q(b.samples[i].unit));
        QCOMPARE(a.samples[i].values, b.samples[i].values);
    }
    QCOMPARE(a.requests.size(), b.requests.size());
    for (size_t i = 0; i < a.requests.size(); ++i) {
        const auto &x = a.requests[i], &y = b.requests[i];
        QCOMPARE(x.index, y.index);
        QCOMPARE(x.repetition, y.repetition);
        QCOMPARE(x.prompt_tokens, y.prompt_tokens);
        QCOMPARE(x.output_tokens, y.output_tokens);
        QCOMPARE(x.submit_ms, y.submit_ms);
        QVERIFY(x.ttft_ms == y.ttft_ms);
        QVERIFY(x.e2e_ms == y.e2e_ms);
        QVERIFY(x.token_times_ms == y.token_times_ms);
        QCOMPARE(q(x.stop_reason), q(y.stop_reason));
    }
    QCOMPARE(a.resources.size(), b.resources.size());
    for (size_t i = 0; i < a.resources.size(); ++i) {
        const auto &x = a.resources[i], &y = b.resources[i];
        QCOMPARE(x.t_ms, y.t_ms);
        QCOMPARE(x.rss_anon_mb, y.rss_anon_mb);
        QCOMPARE(x.rss_file_mb, y.rss_file_mb);
        QCOMPARE(x.vm_hwm_mb, y.vm_hwm_mb);
        QCOMPARE(x.cpu_user_s, y.cpu_user_s);
        QCOMPARE(x.cpu_sys_s, y.cpu_sys_s);
        QCOMPARE(x.threads, y.threads);
    }
}

void compare_all_fields(const tbdb::RunRecord& a, const tbdb::RunRecord& b) {
    compare_csv_fields(a, b);
    QCOMPARE(q(a.finished_at), q(b.finished_at));
    QCOMPARE(q(a.config_json), q(b.config_json));
    QCOMPARE(q(a.error), q(b.error));
    QCOMPARE(q(a.source), q(b.source));
    QCOMPARE(q(a.model.arch), q(b.model.arch));
    QCOMPARE(q(a.model.ternary_type), q(b.model.ternary_type));
    QCOMPARE(a.model.size_bytes, b.model.size_bytes);
    QCOMPARE(a.model.n_params, b.model.n_params);
    QCOMPARE(q(a.host.hostname), q(b.host.hostname));
    QCOMPARE(q(a.host.cpu_model), q(b.host.cpu_model));
    QCOMPARE(q(a.host.os), q(b.host.os));
    QCOMPARE(q(a.host.kernel), q(b.host.kernel));
    QCOMPARE(a.host.physical_cores, b.host.physical_cores);
    QCOMPARE(a.host.logical_cores, b.host.logical_cores);
    QCOMPARE(q(a.host.cpu_flags), q(b.host.cpu_flags));
    QCOMPARE(a.host.mem_total_gb, b.host.mem_total_gb);
}

}  // namespace

class TestImport : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::string tmp(const std::string& name) { return dir_.path().toStdString() + "/" + name; }

private slots:
    void detectsFormatFromContent() {
        QVERIFY(detect_import_format(read_file(kLb + "llamacpp-tiny-tq2_0.json")) == ImportFormat::LlamaBenchJson);
        QVERIFY(detect_import_format(read_file(kLb + "llamacpp-tiny-tq2_0.jsonl")) == ImportFormat::LlamaBenchJsonl);
        QVERIFY(detect_import_format(read_file(kLb + "llamacpp-tiny-tq2_0.csv")) == ImportFormat::LlamaBenchCsv);
        QVERIFY(detect_import_format(read_file(kLb + "llamacpp-tiny-tq2_0.sql")) == ImportFormat::LlamaBenchSql);
        QVERIFY(detect_import_format(read_file(kLb + "bitnetcpp-tiny-i2_s.sql")) == ImportFormat::LlamaBenchSql);
        QVERIFY(detect_import_format(export_json(fixture_runs::all())) == ImportFormat::TernbenchJson);
        QVERIFY(detect_import_format(run_to_json(fixture_runs::all()).dump()) == ImportFormat::TernbenchJson);
        QVERIFY(detect_import_format(export_metrics_csv(fixture_runs::all())) == ImportFormat::TernbenchCsv);
        // Content wins over a misleading extension.
        write_file(tmp("really-json.csv"), read_file(kLb + "llamacpp-tiny-tq2_0.json"));
        const auto r = import_file(tmp("really-json.csv"));
        QVERIFY(r.format == ImportFormat::LlamaBenchJson);
        QCOMPARE(r.runs.size(), size_t(4));
    }

    void importsLlamaBenchFiles() {
        for (const char* name : {"llamacpp-tiny-tq2_0.json", "llamacpp-tiny-tq2_0.jsonl", "llamacpp-tiny-tq2_0.csv",
                                 "llamacpp-tiny-tq2_0.sql"}) {
            const auto r = import_file(kLb + name);
            QCOMPARE(r.runs.size(), size_t(4));
            QCOMPARE(q(r.runs[0].implementation), QString("llama.cpp"));
            QCOMPARE(q(r.runs[0].source), q("import:" + kLb + name));
        }
        for (const char* name : {"bitnetcpp-tiny-i2_s.json", "bitnetcpp-tiny-i2_s.csv", "bitnetcpp-tiny-i2_s.sql"}) {
            const auto r = import_file(kLb + name);
            QCOMPARE(r.runs.size(), size_t(2));
            QCOMPARE(q(r.runs[1].implementation), QString("bitnet.cpp"));
        }
        ImportOptions opt;
        opt.implementation = "llama.cpp (bitnet fork)";
        QCOMPARE(q(import_file(kLb + "bitnetcpp-tiny-i2_s.json", opt).runs[0].implementation),
                 QString("llama.cpp (bitnet fork)"));
    }

    void clearErrors() {
        const std::string md = import_error(kLb + "llamacpp-tiny-tq2_0.md");
        QVERIFY2(md.find("Markdown output cannot be imported") != std::string::npos, md.c_str());
        write_file(tmp("empty.json"), "  \n");
        QVERIFY(import_error(tmp("empty.json")).find("empty.json: empty file") != std::string::npos);
        write_file(tmp("model.gguf"), std::string("GGUF\3\0\0\0\x10\0", 10));
        QVERIFY(import_error(tmp("model.gguf")).find("binary data") != std::string::npos);
        QVERIFY(import_error(tmp("missing.json")).find("no such file") != std::string::npos);
        QVERIFY(import_error(dir_.path().toStdString()).find("is a directory") != std::string::npos);
        write_file(tmp("notes.txt"), "hello world\nsecond line\n");
        QVERIFY(import_error(tmp("notes.txt")).find("unrecognized format") != std::string::npos);
        write_file(tmp("bad.json"), R"({"schema_version": 1, "runs": [{"threads": "two"}]})");
        QVERIFY(import_error(tmp("bad.json")).find("run 1: field \"threads\" must be a number") != std::string::npos);
        write_file(tmp("new.json"), R"({"schema_version": 99, "runs": []})");
        QVERIFY(import_error(tmp("new.json")).find("newer ternbench") != std::string::npos);
        write_file(tmp("cut.json"), export_json(fixture_runs::all()).substr(0, 500));
        QVERIFY(import_error(tmp("cut.json")).find("invalid JSON") != std::string::npos);
        write_file(tmp("orphan.samples.csv"), export_samples_csv(fixture_runs::all()));
        QVERIFY(import_error(tmp("orphan.samples.csv")).find("no such file") != std::string::npos);
    }

    void jsonRoundTripLosesNothing() {
        const auto runs = fixture_runs::all();
        ReportInput in;
        in.runs = runs;
        write_export(ExportFormat::Json, in, tmp("runs.json"));
        const auto back = import_file(tmp("runs.json"));
        QVERIFY(back.format == ImportFormat::TernbenchJson);
        QCOMPARE(back.runs.size(), runs.size());
        for (size_t i = 0; i < runs.size(); ++i) compare_all_fields(runs[i], back.runs[i]);
        // And a second export of the imported runs is byte-identical.
        QCOMPARE(q(export_json(back.runs)), q(export_json(runs)));
    }

    void csvRoundTripLosesNothingItCarries() {
        const auto runs = fixture_runs::all();
        ReportInput in;
        in.runs = runs;
        write_export(ExportFormat::Csv, in, tmp("runs.csv"));
        const auto back = import_file(tmp("runs.csv"));
        QVERIFY(back.format == ImportFormat::TernbenchCsv);
        QCOMPARE(back.runs.size(), runs.size());
        for (size_t i = 0; i < runs.size(); ++i) compare_csv_fields(runs[i], back.runs[i]);
        // Naming the samples file finds its metrics file.
        const auto via_samples = import_file(tmp("runs.samples.csv"));
        QCOMPARE(via_samples.runs.size(), runs.size());
        QCOMPARE(via_samples.runs[2].requests.size(), size_t(3));
        // Without the samples file: metrics only, with a warning.
        std::filesystem::copy_file(tmp("runs.csv"), tmp("alone.csv"));
        const auto alone = import_file(tmp("alone.csv"));
        QVERIFY(alone.runs[2].requests.empty());
        QCOMPARE(alone.runs[2].metrics.size(), runs[2].metrics.size());
        QCOMPARE(alone.warnings.size(), size_t(1));
    }

    void machineJsonImports() {
        const auto runs = fixture_runs::all();
        write_file(tmp("machine.json"), run_to_json(runs).dump());
        const auto back = import_file(tmp("machine.json"));
        QCOMPARE(back.runs.size(), runs.size());
        QCOMPARE(q(back.runs[2].uuid), q(runs[2].uuid));
        const auto* m = back.runs[2].metric("ttft_ms_p50");
        QVERIFY(m && m->value && *m->value == *runs[2].metric("ttft_ms_p50")->value);
        QVERIFY(back.runs[3].status == tbdb::RunStatus::Failed);
    }

    void formatNames() {
        QVERIFY(import_format_from_name("csv") == ImportFormat::LlamaBenchCsv);
        QVERIFY(import_format_from_name("ternbench-json") == ImportFormat::TernbenchJson);
        QVERIFY(!import_format_from_name("xlsx"));
        ImportOptions opt;
        opt.format = ImportFormat::LlamaBenchSql;   // forced format on a JSON file: a clear error
        try {
            import_file(kLb + "llamacpp-tiny-tq2_0.json", opt);
            QFAIL("no error");
        } catch (const ImportError& e) {
            QVERIFY(std::string(e.what()).find("llamacpp-tiny-tq2_0.json:1") != std::string::npos);
        }
    }
};

QTEST_APPLESS_MAIN(TestImport)
#include "test_import.moc"
