// The Markdown comparison report's pairing rules: failed runs are listed as failed, never
// compared; a run is paired only with a baseline at the same thread count; both sides of a
// row use the same, named statistic; tables are whole (no blank line inside, same width).
#include <QtTest>

#include <sstream>

#include "app/reports/markdown_report.h"
#include "test_report_fixtures.h"

using namespace bench;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

size_t cells_in(const std::string& row) {
    size_t bars = 0;
    for (size_t i = 0; i < row.size(); ++i)
        if (row[i] == '|' && (i == 0 || row[i - 1] != '\\')) ++bars;
    return bars - 1;
}

// "" when every table is one block of rows as wide as its header, with no empty row, and no
// run of blank lines appears; else what is wrong.
std::string table_problem(const std::string& md) {
    if (has(md, "\n\n\n")) return "two blank lines in a row";
    const auto lines = lines_of(md);
    size_t width = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
        const bool row = !lines[i].empty() && lines[i][0] == '|';
        if (!row) {
            // A blank line followed by a row that is not a new table's header row is a table torn apart.
            if (lines[i].empty() && i + 1 < lines.size() && !lines[i + 1].empty() && lines[i + 1][0] == '|' &&
                !(i + 2 < lines.size() && lines[i + 2].rfind("|---", 0) == 0))
                return "blank line inside a table before line " + std::to_string(i + 2) + ": " + lines[i + 1];
            width = 0;
            continue;
        }
        bool all_blank = true;   // an empty header row renders as a blank line in the table
        for (char c : lines[i])
            if (c != '|' && c != ' ') all_blank = false;
        if (all_blank) return "empty row at line " + std::to_string(i + 1);
        if (width == 0) width = cells_in(lines[i]);
        else if (cells_in(lines[i]) != width)
            return "row of another width at line " + std::to_string(i + 1) + ": " + lines[i];
    }
    return "";
}

// The lines of the table rows that mention `what`.
std::vector<std::string> rows_with(const std::string& md, const std::string& what) {
    std::vector<std::string> out;
    for (const auto& l : lines_of(md))
        if (!l.empty() && l[0] == '|' && has(l, what)) out.push_back(l);
    return out;
}

tbdb::RunRecord baseline_run() { return fixture_runs::all()[0]; }   // pp64, llama.cpp, 2 threads

tbdb::RunRecord current_run(int64_t id, double rate) {
    return fixture_runs::pp_run(id, "ternbench/avx2", "avx2", rate, "3b7e0f3c-0000-4000-8000-00000000001" + std::to_string(id));
}

}  // namespace

class TestComparisonReport : public QObject {
    Q_OBJECT
private slots:
    void failedRunIsListedNotCompared() {
        auto failed = current_run(5, 150.0);   // still has figures from before it failed
        failed.status = tbdb::RunStatus::Failed;
        failed.error = "context full";
        ReportInput in;
        in.runs = {current_run(2, 120.0), failed};
        in.baselines = {baseline_run()};
        const std::string md = markdown_comparison_report(in);
        QVERIFY2(rows_with(md, "#5 ternbench/avx2 abc123def456 vs #1").empty(), md.c_str());
        const auto rows = rows_with(md, "#5 ");
        QVERIFY2(!rows.empty(), md.c_str());
        QVERIFY2(has(rows.front(), "failed") && has(rows.front(), "context full"), rows.front().c_str());
        // Only the good run gets a verdict in the summary; the failed one is counted apart.
        QVERIFY(has(md, "1 run(s) failed"));
        QVERIFY(!has(md, "1.49"));   // 150/100: the failed run's ratio must appear nowhere
        QVERIFY2(table_problem(md).empty(), table_problem(md).c_str());
    }

    void failedBaselineIsNotUsed() {
        auto bad_base = baseline_run();
        bad_base.status = tbdb::RunStatus::Failed;
        ReportInput in;
        in.runs = {current_run(2, 120.0)};
        in.baselines = {bad_base};
        const std::string md = markdown_comparison_report(in);
        QVERIFY2(rows_with(md, " vs #1").empty(), md.c_str());
        QVERIFY(!has(md, "**faster**"));
    }

    void failedRunWithoutBaselineShowsNoFigures() {
        auto failed = current_run(5, 150.0);
        failed.status = tbdb::RunStatus::Failed;
        failed.error = "boom";
        ReportInput in;
        in.runs = {failed};
        const std::string md = markdown_comparison_report(in);
        const auto rows = rows_with(md, "#5");
        QVERIFY(!rows.empty());
        for (const auto& r : rows) {
            if (has(r, "implementation") || has(r, "Debian")) continue;   // the environment table
            QVERIFY2(has(r, "failed") && !has(r, "tok/s"), r.c_str());
        }
    }

    void pairedOnlyAtTheSameThreadCount() {
        auto four = current_run(2, 120.0);
        four.threads = 4;
        ReportInput in;
        in.runs = {four};
        in.baselines = {baseline_run()};   // 2 threads
        const std::string md = markdown_comparison_report(in);
        QVERIFY2(rows_with(md, " vs #1").empty(), md.c_str());
        QVERIFY2(has(md, "no baseline of the same configuration") && has(md, "4 vs 2 threads"), md.c_str());
        QVERIFY(!has(md, "**faster**"));
        QVERIFY2(table_problem(md).empty(), table_problem(md).c_str());

        // Among several baselines the one at the run's thread count is taken.
        auto base4 = fixture_runs::pp_run(7, "llama.cpp", "", 60.0, "3b7e0f3c-0000-4000-8000-000000000007");
        base4.threads = 4;
        in.baselines = {baseline_run(), base4};
        const std::string md2 = markdown_comparison_report(in);
        QVERIFY2(!rows_with(md2, " vs #7").empty(), md2.c_str());
        QVERIFY(rows_with(md2, " vs #1").empty());
    }

    void bothSidesUseTheMedianAndSaySo() {
        // The baseline was imported with figures only (no raw samples); the current run has raw
        // samples. Its mean and median differ: the row must compare median with median.
        auto base = baseline_run();
        base.samples.clear();
        for (auto& m : base.metrics) {
            if (m.name == "tok_s") m.value = 90.0;          // mean
            if (m.name == "tok_s_median") m.value = 100.0;  // median
        }
        auto cur = current_run(2, 120.0);
        ReportInput in;
        in.runs = {cur};
        in.baselines = {base};
        const std::string md = markdown_comparison_report(in);
        const auto rows = rows_with(md, "tok_s (tok/s)");
        QVERIFY2(rows.size() == 1, md.c_str());
        QVERIFY2(has(rows[0], "| median |"), rows[0].c_str());
        QVERIFY2(has(rows[0], "| 100.0 |"), rows[0].c_str());   // the baseline's median, not its mean
        QVERIFY2(!has(rows[0], "| 90.00 |"), rows[0].c_str());
        QVERIFY2(has(md, "| statistic |"), md.c_str());
        QVERIFY2(table_problem(md).empty(), table_problem(md).c_str());
    }

    void tablesAreWhole() {
        const auto runs = fixture_runs::all();
        ReportInput in;
        in.runs = {runs[1], runs[2], runs[3]};
        in.baselines = {runs[0]};
        const std::string md = markdown_comparison_report(in);
        QVERIFY2(table_problem(md).empty(), table_problem(md).c_str());
        in.baselines.clear();
        const std::string plain = markdown_comparison_report(in);
        QVERIFY2(table_problem(plain).empty(), table_problem(plain).c_str());
        const std::string single = markdown_run_report(runs[2]);
        QVERIFY2(table_problem(single).empty(), table_problem(single).c_str());
    }
};

QTEST_APPLESS_MAIN(TestComparisonReport)
#include "test_comparison_report.moc"
