// Reports and exports of fixed runs: golden files (tests/app/golden; regenerate with
// TB_UPDATE_GOLDEN=1 after an intended change and review the diff) plus the properties that
// matter on their own: formula neutralization, missing values, the stable --json shape.
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/reports/busy_machine.h"
#include "app/reports/csv.h"
#include "app/reports/csv_export.h"
#include "app/reports/export_writer.h"
#include "app/reports/json_export.h"
#include "app/reports/markdown_report.h"
#include "app/reports/run_labels.h"
#include "app/stats/text_format.h"
#include "test_report_fixtures.h"

using namespace bench;

namespace {

const std::string kGoldenDir = std::string(TB_FIXTURES_DIR) + "/../app/golden/";

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Compares with the golden file; TB_UPDATE_GOLDEN=1 rewrites it instead.
bool matches_golden(const std::string& name, const std::string& actual) {
    const std::string path = kGoldenDir + name;
    if (qEnvironmentVariableIsSet("TB_UPDATE_GOLDEN")) {
        std::filesystem::create_directories(kGoldenDir);
        std::ofstream(path, std::ios::binary) << actual;
        return true;
    }
    const std::string expected = read_file(path);
    if (expected == actual) return true;
    const std::string out = QDir::tempPath().toStdString() + "/" + name + ".actual";
    std::ofstream(out, std::ios::binary) << actual;
    qWarning("golden mismatch for %s: actual output written to %s", name.c_str(), out.c_str());
    return false;
}

ReportInput comparison_input() {
    const auto runs = fixture_runs::all();
    ReportInput in;
    in.title = "pp64 on bench-host";
    in.runs = {runs[1], runs[2]};
    in.baselines = {runs[0]};
    in.baseline_label = "implementation llama.cpp";
    in.chart_paths = {"charts/tok_s.png", "charts/latency.png"};
    return in;
}

}  // namespace

class TestReport : public QObject {
    Q_OBJECT
private slots:
    void markdownComparisonGolden() {
        const std::string md = markdown_comparison_report(comparison_input());
        QVERIFY(matches_golden("report_comparison.md", md));
        // The 20% faster pp run is significant with 10 vs 10 samples: called faster with CI and p.
        QVERIFY(md.find("**faster**") != std::string::npos);
        QVERIFY(md.find("p < 0.001") != std::string::npos || md.find("p = 0.00") != std::string::npos);
        QVERIFY(md.find("no baseline of the same configuration (nearest: #1") != std::string::npos);
        QVERIFY(md.find("![tok_s.png](charts/tok_s.png)") != std::string::npos);
        QVERIFY(md.find("## Method") != std::string::npos);
        QVERIFY(md.find("## Environment") != std::string::npos);
        QVERIFY(md.find("TPOT = (E2E - TTFT) / (output_tokens - 1)") != std::string::npos);
    }

    void markdownNoBaseline() {
        ReportInput in = comparison_input();
        in.baselines.clear();
        const std::string md = markdown_comparison_report(in);
        QVERIFY(md.find("No baseline pinned") != std::string::npos);
        QVERIFY(md.find("**faster**") == std::string::npos);
    }

    void markdownSameSpeedIsNotCalledFaster() {
        auto runs = fixture_runs::all();
        ReportInput in;
        auto twin = fixture_runs::pp_run(5, "ternbench/avx2", "avx2", 100.0, "twin");
        in.runs = {twin};
        in.baselines = {runs[0]};
        const std::string md = markdown_comparison_report(in);
        QVERIFY(md.find("no significant difference") != std::string::npos);
        QVERIFY(md.find("**faster**") == std::string::npos && md.find("**slower**") == std::string::npos);
    }

    void markdownSingleRunGolden() {
        const auto runs = fixture_runs::all();
        const std::string md = markdown_run_report(runs[2]);
        QVERIFY(matches_golden("run_single.md", md));
        // Missing figures: a dash and the reason.
        QVERIFY(md.find("| cpu_util_pct | \u2014 | % | 0 | +not measured: no /proc |") != std::string::npos);
        QVERIFY(md.find("p99 needs >= 100 samples, have 3") != std::string::npos);
        const std::string failed = markdown_run_report(runs[3]);
        QVERIFY(failed.find("| error | llama-bench exited with signal 11 \\| line one line two |") != std::string::npos);
        QVERIFY(failed.find("No figures were recorded.") != std::string::npos);
    }

    void busyMachineIsSaid() {
        auto run = fixture_runs::all()[2];
        QVERIFY(!busy_machine_note(run));  // no figures (older runs, HTTP runs): nothing said
        run.metrics.push_back(bench::make_metric("cpu_other_pct", 3.0, "%", 1));
        run.metrics.push_back(bench::make_metric("cpu_steal_pct", 0.5, "%", 1));
        QVERIFY(!busy_machine_note(run));
        QVERIFY(markdown_run_report(run).find("Busy machine") == std::string::npos);
        run.metrics[run.metrics.size() - 2].value = kBusyOtherPct + 32.2;
        const auto note = busy_machine_note(run);
        QVERIFY(note && note->find("42.2 %") != std::string::npos && note->find("0.5 %") != std::string::npos);
        QVERIFY(markdown_run_report(run).find("**" + *note + "**") != std::string::npos);
        run.metrics[run.metrics.size() - 2].value = 0.0;
        run.metrics.back().value = kBusyStealPct;  // the hypervisor alone is enough
        QVERIFY(busy_machine_note(run).has_value());
    }

    void csvGoldenAndNeutralized() {
        const auto runs = fixture_runs::all();
        const std::string metrics = export_metrics_csv(runs);
        const std::string samples = export_samples_csv(runs);
        QVERIFY(matches_golden("runs_metrics.csv", metrics));
        QVERIFY(matches_golden("runs_samples.csv", samples));
        // Every text cell that a spreadsheet would evaluate begins with a quote now.
        for (const auto& text : {metrics, samples}) {
            for (const auto& row : parse_csv(text, "export")) {
                for (const auto& cell : row.cells) {
                    if (cell.empty()) continue;
                    const char c = cell[0];
                    if (c == '=' || c == '+' || c == '@' || c == '\t' || c == '\r') QFAIL(cell.c_str());
                    if (c == '-' && !parse_double(cell)) QFAIL(cell.c_str());   // only numbers may start with '-'
                }
            }
        }
        QVERIFY(metrics.find("\"'=HYPERLINK(\"\"x\"\"),models/demo small.gguf\"") != std::string::npos);
        QVERIFY(samples.find(",'-eos,") != std::string::npos);
        QVERIFY(metrics.find(",'+not measured: no /proc,") != std::string::npos);
        // A missing value is an empty cell, never 0.
        QVERIFY(metrics.find(",cpu_util_pct,,%,0,") != std::string::npos);
    }

    void csvCellRules() {
        QCOMPARE(QString::fromStdString(csv_text_cell("=1+1")), QString("'=1+1"));
        QCOMPARE(QString::fromStdString(csv_text_cell("@SUM(A1)")), QString("'@SUM(A1)"));
        QCOMPARE(QString::fromStdString(csv_text_cell("\tx")), QString("'\tx"));
        QCOMPARE(QString::fromStdString(csv_text_cell("a,b")), QString("\"a,b\""));
        QCOMPARE(QString::fromStdString(csv_text_cell("say \"hi\"")), QString("\"say \"\"hi\"\"\""));
        QCOMPARE(QString::fromStdString(csv_text_cell("plain")), QString("plain"));
        for (const std::string s : {"=1", "'=1", "'", "''", "-x", "plain", "'plain"})
            QCOMPARE(csv_text_from_cell(parse_csv(csv_text_cell(s) + ",end", "t")[0].cells[0]), s);
        QVERIFY_THROWS_EXCEPTION(CsvError, parse_csv("a,\"unterminated\nb", "t.csv"));
        try {
            parse_csv("a,b\n\"x\"y,z\n", "t.csv");
            QFAIL("no error");
        } catch (const CsvError& e) {
            QVERIFY(std::string(e.what()).find("t.csv:2:") == 0);
        }
    }

    void jsonGolden() {
        const auto runs = fixture_runs::all();
        QVERIFY(matches_golden("runs_full.json", export_json(runs)));
        QVERIFY(matches_golden("runs_machine.json", run_to_json(runs).dump(2) + "\n"));
    }

    void machineJsonShape() {
        const auto runs = fixture_runs::all();
        const nlohmann::json j = run_to_json(runs[2]);
        QVERIFY(j.is_object() && j.size() == 1 && j["runs"].is_array() && j["runs"].size() == 1);
        const auto& r = j["runs"][0];
        for (const char* key : {"id", "uuid", "workload", "implementation", "kernel", "status", "threads", "model", "metrics"})
            QVERIFY2(r.contains(key), key);
        QCOMPARE(r["status"].get<std::string>(), std::string("completed"));
        QCOMPARE(r["model"].size(), size_t(2));
        QVERIFY(r["model"].contains("path") && r["model"].contains("sha256"));
        QVERIFY(r["metrics"]["ttft_ms_p50"]["value"].is_number());
        QCOMPARE(r["metrics"]["ttft_ms_p50"]["unit"].get<std::string>(), std::string("ms"));
        QCOMPARE(r["metrics"]["ttft_ms_p50"]["n"].get<int>(), 3);
        QVERIFY(r["metrics"]["cpu_util_pct"]["value"].is_null());
        QVERIFY(r["metrics"]["ttft_ms_p99"]["value"].is_null());
        QVERIFY(!r.contains("error"));
        QCOMPARE(run_to_json(runs[3])["runs"][0]["status"].get<std::string>(), std::string("failed"));
        QVERIFY(run_to_json(runs[3])["runs"][0]["error"].is_string());
    }

    void fullJsonHasSchemaVersion() {
        const auto doc = nlohmann::json::parse(export_json(fixture_runs::all()));
        QCOMPARE(doc["schema_version"].get<int>(), kExportSchemaVersion);
        QCOMPARE(doc["runs"].size(), size_t(4));
        QVERIFY(doc["runs"][2]["requests"][1]["e2e_ms"].is_null());
        QVERIFY(doc["runs"][2]["config"].is_object());
        QCOMPARE(doc["runs"][3]["config_json"].get<std::string>(), std::string("not json {"));
    }

    void labels() {
        const auto runs = fixture_runs::all();
        QCOMPARE(QString::fromStdString(workload_label(runs[0])), QString("pp64"));
        QCOMPARE(QString::fromStdString(workload_label(runs[2])), QString("single"));
        tbdb::RunRecord pg;
        pg.workload = "pg";
        pg.config_json = R"({"n_prompt":512,"n_gen":128,"n_depth":1024})";
        QCOMPARE(QString::fromStdString(workload_label(pg)), QString("pp512+tg128 @ d1024"));
        QCOMPARE(QString::fromStdString(samples_csv_path_for("out/runs.csv")), QString("out/runs.samples.csv"));
        QCOMPARE(QString::fromStdString(samples_csv_path_for("out.d/runs")), QString("out.d/runs.samples.csv"));
    }

    void writeExportFiles() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string base = dir.path().toStdString();
        auto written = write_export(ExportFormat::Csv, comparison_input(), base + "/r.csv");
        QCOMPARE(written.size(), size_t(2));
        QVERIFY(std::filesystem::exists(base + "/r.samples.csv"));
        written = write_export(ExportFormat::Json, comparison_input(), base + "/r.json");
        const auto doc = nlohmann::json::parse(read_file(base + "/r.json"));
        QCOMPARE(doc["runs"].size(), size_t(3));   // two runs plus their baseline
        QVERIFY_THROWS_EXCEPTION(ExportError, write_export(ExportFormat::Markdown, comparison_input(),
                                                           base + "/no/such/dir/r.md"));
        QVERIFY(export_format_from_name("md") == ExportFormat::Markdown);
        QVERIFY(!export_format_from_name("xlsx"));
    }
};

QTEST_APPLESS_MAIN(TestReport)
#include "test_report.moc"
