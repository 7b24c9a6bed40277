// Reports pair like with like (issue 15): over a store with two models, tg32 and tg128 of each,
// two implementations, two thread counts and an imported llama-bench file without sha256, every
// ratio in the report joins runs of one configuration (the tables are parsed and each pair
// checked), a run without such a baseline says so and names what differs, and the CSV and JSON
// exports carry every run's configuration key. Golden: tests/app/golden/report_pairing.md
// (TB_UPDATE_GOLDEN=1 rewrites it).
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app/core/benchmark_spec.h"
#include "app/legacy/importer.h"
#include "app/reports/baseline_resolve.h"
#include "app/reports/csv.h"
#include "app/reports/csv_export.h"
#include "app/reports/json_export.h"
#include "app/reports/markdown_report.h"
#include "app/reports/pairing.h"
#include "app/reports/run_config.h"
#include "app/stats/summarize_metric.h"
#include "db/run_store.h"

using namespace bench;
using json = nlohmann::json;

namespace {

const std::string kGoldenDir = std::string(TB_FIXTURES_DIR) + "/../app/golden/";
const std::string kShaTiny = "5f2a9c0d11112222333344445555666677778888999900001111222233334444";
const std::string kShaDemo = "9d0e4b7a11112222333344445555666677778888999900001111222233334444";

bool matches_golden(const std::string& name, const std::string& actual) {
    const std::string path = kGoldenDir + name;
    if (qEnvironmentVariableIsSet("TB_UPDATE_GOLDEN")) {
        std::ofstream(path, std::ios::binary) << actual;
        return true;
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    if (ss.str() == actual) return true;
    const std::string out = QDir::temp().filePath(QString::fromStdString(name + ".actual")).toStdString();
    std::ofstream(out, std::ios::binary) << actual;
    qWarning("golden mismatch for %s: actual output written to %s", name.c_str(), out.c_str());
    return false;
}

std::vector<double> rates(double base, int n = 6) {
    std::vector<double> v;
    for (int i = 0; i < n; ++i) v.push_back(base + (i % 3) * 0.25 - 0.25 + i * 0.0625);
    return v;
}

tbdb::HostInfo host() {
    tbdb::HostInfo h;
    h.hostname = "bench-host";
    h.cpu_model = "AMD EPYC 9R14";
    h.physical_cores = 2;
    h.logical_cores = 2;
    return h;
}

void add_rate(tbdb::RunRecord& r, double base) {
    SummarizeOptions opt;
    opt.percentiles = false;
    const auto v = rates(base);
    r.metrics = summarize_metric("tok_s", "tok/s", v, opt);
    r.samples.push_back({"tok_s", "tok/s", v});
    std::vector<double> ms;
    for (double x : v) ms.push_back(32000.0 / x);
    r.samples.push_back({"duration_ms", "ms", ms});
}

// One of our engine's tg runs, as the runner stores it.
tbdb::RunRecord engine_tg(int n, const std::string& model, const std::string& sha, int64_t params, int gen,
                          int threads, double base) {
    tbdb::RunRecord r;
    r.uuid = "00000000-0000-4000-8000-0000000000" + std::to_string(10 + n);
    r.started_at = r.finished_at = "2026-11-29T10:" + std::to_string(10 + n) + ":00.000Z";
    r.status = tbdb::RunStatus::Completed;
    r.workload = "tg";
    r.implementation = "ternbench/avx512";
    r.kernel = "avx512";
    r.impl_version = "a480e86";
    r.threads = threads;
    BenchmarkSpec s;
    s.workload = "tg";
    s.model_path = model;
    s.n_gen = gen;
    s.threads = threads;
    r.config_json = s.to_json().dump();
    r.host = host();
    r.model.path = model;
    r.model.sha256 = sha;
    r.model.n_params = params;
    r.source = "run";
    add_rate(r, base);
    r.metrics.push_back(make_metric("decode_tok_s", r.metric("tok_s")->value, "tok/s", 6));
    return r;
}

// A llama.cpp tg run made by `baseline run` on the same file (so with its sha256).
tbdb::RunRecord llama_tg(int n, int gen, int threads, double base) {
    tbdb::RunRecord r;
    r.uuid = "00000000-0000-4000-8000-0000000000" + std::to_string(50 + n);
    r.started_at = r.finished_at = "2026-11-29T11:" + std::to_string(10 + n) + ":00Z";
    r.status = tbdb::RunStatus::Completed;
    r.workload = "tg";
    r.implementation = "llama.cpp";
    r.impl_version = "3f545becc";
    r.threads = threads;
    r.config_json = json{{"n_prompt", 0}, {"n_gen", gen}, {"n_depth", 0}, {"n_threads", threads}, {"type_k", "f16"},
                         {"type_v", "f16"}, {"flash_attn", false}, {"build_number", 10587},
                         {"implementation_detected_by", "upstream llama-bench field set (backends, devices, n_depth)"}}
                        .dump();
    r.host = host();
    r.model.path = "/models/tiny-tq2_0.gguf";
    r.model.sha256 = kShaTiny;
    r.model.n_params = 2757888;
    r.source = "baseline:/opt/llama.cpp/build/bin/llama-bench";
    SummarizeOptions opt;
    opt.percentiles = false;
    const auto v = rates(base);
    r.metrics = summarize_metric("tok_s", "tok/s", v, opt);
    r.samples.push_back({"tok_s", "tok/s", v});
    std::vector<double> ns;
    for (double x : v) ns.push_back(gen / x * 1e9);
    r.samples.push_back({"ns", "ns", ns});
    return r;
}

struct TableRow {
    std::vector<std::string> cells;
};

// The rows of every Markdown table under "## Results by workload".
std::vector<TableRow> result_rows(const std::string& md) {
    std::vector<TableRow> rows;
    const auto start = md.find("## Results by workload");
    const auto end = md.find("## Environment");
    std::istringstream in(md.substr(start, end - start));
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("| #", 0) != 0) continue;
        TableRow r;
        std::string cell;
        for (size_t i = 1; i < line.size(); ++i) {
            if (line[i] == '|' && line[i - 1] != '\\') {
                const auto a = cell.find_first_not_of(' '), b = cell.find_last_not_of(' ');
                r.cells.push_back(a == std::string::npos ? "" : cell.substr(a, b - a + 1));
                cell.clear();
            } else {
                cell += line[i];
            }
        }
        rows.push_back(r);
    }
    return rows;
}

}  // namespace

class TestPairing : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::string db_;
    std::map<int64_t, tbdb::RunRecord> by_id_;

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        db_ = dir_.filePath("pairing.sqlite").toStdString();
        tbdb::RunStore store(db_);
        std::vector<tbdb::RunRecord> runs;
        int n = 0;
        // The engine: two models x tg32/tg128 x 1/2 threads.
        for (const auto& [model, sha, params, speed] :
             {std::tuple{std::string("/models/tiny-tq2_0.gguf"), kShaTiny, int64_t(2757888), 5000.0},
              std::tuple{std::string("/cache/demo-small-i2_s.gguf"), kShaDemo, int64_t(52000000), 600.0}})
            for (int gen : {32, 128})
                for (int t : {1, 2}) runs.push_back(engine_tg(n++, model, sha, params, gen, t, speed * (t == 2 ? 1.6 : 1.0)));
        // llama.cpp measured here on the same file: tg128 at 2 threads only.
        runs.push_back(llama_tg(0, 128, 2, 4200.0));
        store.insert_runs(runs);
        // llama.cpp's own file (pp64 and tg32 at 1 and 2 threads), imported: no sha256 in it.
        std::ifstream file(std::string(TB_FIXTURES_DIR) + "/llama-bench/llamacpp-tiny-tq2_0.json", std::ios::binary);
        std::ostringstream text;
        text << file.rdbuf();
        auto imported = import_text(text.str(), "llamacpp-tiny-tq2_0.json");   // a path-free origin: golden
        store.insert_runs(imported.runs);
        for (const auto& s : store.list_runs()) by_id_[s.id] = *store.load_run(s.id);
        QCOMPARE(by_id_.size(), size_t(13));
    }

    void tg32_and_tg128_are_different_configurations() {
        const auto a = run_config(by_id_.at(1)), b = run_config(by_id_.at(3));   // tg32 t1, tg128 t1
        const auto m = match_configs(b, a);
        QVERIFY(!m.same);
        QCOMPARE(QString::fromStdString(m.differences_text()), QString("tg128 vs tg32"));
        const auto other = match_configs(run_config(by_id_.at(5)), a);   // demo model, tg32 t1
        QVERIFY(!other.same);
        QVERIFY2(other.differences_text().find("other model") != std::string::npos, other.differences_text().c_str());
    }

    // Issue 9: an in-process latency run and a llama-server run over HTTP of the same settings are
    // one experiment; --ignore-eos and forbidden tokens are part of the settings.
    void latency_runs_pair_across_http_with_the_same_generation_settings() {
        BenchmarkSpec s;
        s.workload = "stream";
        s.max_tokens = 64;
        s.threads = 2;
        s.ignore_eos = true;
        s.forbid_byte_tokens = true;
        tbdb::RunRecord engine;
        engine.workload = "stream";
        engine.implementation = "ternbench/avx2";
        engine.threads = 2;
        engine.model.path = "/models/1b3-tq2_0-lq.gguf";
        engine.model.sha256 = kShaDemo;
        engine.config_json = s.to_json().dump();
        tbdb::RunRecord server = engine;
        server.implementation = "llama.cpp";
        auto cfg = s.to_json();
        cfg["endpoint"] = "http://127.0.0.1:40000";
        cfg["http"] = {{"over_http", true}, {"server_build", "b10587-3f545becc"}};
        server.config_json = cfg.dump();
        const auto a = run_config(engine), b = run_config(server);
        QCOMPARE(a.experiment_key(), b.experiment_key());
        QVERIFY(match_configs(b, a).same);
        QVERIFY(a.key() != b.key());   // two implementations of one experiment

        s.ignore_eos = false;   // the engine stops at end-of-generation, the server does not
        engine.config_json = s.to_json().dump();
        const auto m = match_configs(b, run_config(engine));
        QVERIFY(!m.same);
        QVERIFY2(m.differences_text().find("eos") != std::string::npos, m.differences_text().c_str());
        s.ignore_eos = true;
        s.forbid_byte_tokens = false;
        engine.config_json = s.to_json().dump();
        const auto f = match_configs(b, run_config(engine));
        QVERIFY2(!f.same && f.differences_text().find("forbid") != std::string::npos, f.differences_text().c_str());
    }

    void report_ratios_join_one_configuration_only() {
        tbdb::RunStore store(db_);
        ReportInput in;
        in.title = "pairing";
        for (const auto& [id, r] : by_id_) in.runs.push_back(r);
        const auto base = resolve_baseline(store, "llama.cpp");
        QVERIFY(base.ok());
        QCOMPARE(base.runs.size(), size_t(5));
        in.baselines = base.runs;
        in.baseline_label = base.label;
        const std::string md = markdown_comparison_report(in);
        QVERIFY(matches_golden("report_pairing.md", md));

        int pairs = 0, by_name = 0, without = 0;
        std::set<int64_t> paired_runs;
        const std::regex pair_re("^#([0-9]+) .* vs #([0-9]+)( \\(matched by name\\))?$");
        for (const auto& row : result_rows(md)) {
            std::smatch m;
            if (std::regex_match(row.cells[0], m, pair_re)) {
                const auto& cur = by_id_.at(std::stoll(m[1]));
                const auto& bas = by_id_.at(std::stoll(m[2]));
                const auto match = match_configs(run_config(cur), run_config(bas));
                QVERIFY2(match.same, (row.cells[0] + ": " + match.differences_text()).c_str());
                QCOMPARE(match.matched_by_name, m[3].matched);
                QVERIFY2(row.cells[3] != "ns" && row.cells[3].rfind("duration_ms", 0) != 0 &&
                             row.cells[3].rfind("decode_tok_s", 0) != 0,
                         ("the same figure compared twice: " + row.cells[3]).c_str());
                ++pairs;
                if (m[3].matched) ++by_name;
                paired_runs.insert(cur.id);
                continue;
            }
            // Not paired: it says why and names the nearest candidate with what differs.
            const std::string& why = row.cells.back();
            const auto id = std::stoll(row.cells[0].substr(1));
            const auto& run = by_id_.at(id);
            if (run.implementation == "llama.cpp") {   // the pinned implementation: the reference itself
                QCOMPARE(QString::fromStdString(why), QString("baseline run (the reference)"));
                continue;
            }
            QVERIFY2(why.find("no baseline of the same configuration (nearest: #") != std::string::npos, why.c_str());
            if (run.model.sha256 == kShaDemo) QVERIFY2(why.find("other model") != std::string::npos, why.c_str());
            ++without;
        }
        // tiny tg32 at 1 and 2 threads pair with the imported tg32 by name; tiny tg128 at 2
        // threads with the measured llama.cpp run by sha256.
        for (int64_t id : {1, 2, 4}) QVERIFY2(paired_runs.count(id), std::to_string(id).c_str());
        QVERIFY(by_name >= 2);
        QVERIFY(pairs >= 3);
        QVERIFY(without >= 5);   // the demo model's four runs and tiny tg128 at 1 thread
        QVERIFY(md.find("tg128 vs tg32") != std::string::npos || md.find("1 vs 2 threads") != std::string::npos);

        // Every implementation side by side: a row holds runs of one experiment only.
        const auto side = md.find("## Implementations side by side");
        QVERIFY(side != std::string::npos);
        std::istringstream side_md(md.substr(side, md.find("\n## ", side + 1) - side));
        int rows_with_both = 0;
        const std::regex id_re("\\(#([0-9]+)\\)");
        for (std::string line; std::getline(side_md, line);) {
            if (line.rfind("| ", 0) != 0 || line.rfind("| experiment", 0) == 0) continue;
            std::vector<int64_t> ids;
            for (std::sregex_iterator it(line.begin(), line.end(), id_re), end; it != end; ++it)
                ids.push_back(std::stoll((*it)[1]));
            QVERIFY2(!ids.empty(), line.c_str());
            for (const int64_t id : ids) {
                const auto match = match_configs(run_config(by_id_.at(id)), run_config(by_id_.at(ids.front())));
                QVERIFY2(match.same, (line + ": " + match.differences_text()).c_str());
            }
            if (ids.size() >= 2) ++rows_with_both;
        }
        QVERIFY(rows_with_both >= 3);   // tiny tg32 at 1 and 2 threads (by name) and tg128 at 2 threads

        // Every summary line names its run.
        std::istringstream in_md(md);
        for (std::string line; std::getline(in_md, line);)
            if (line.rfind("- **", 0) == 0) QVERIFY2(line.rfind("- **#", 0) == 0, line.c_str());
        // Which program and build each baseline came from.
        QVERIFY(md.find("## Programs and builds") != std::string::npos);
        QVERIFY(md.find("/opt/llama.cpp/build/bin/llama-bench") != std::string::npos);
    }

    void exports_carry_every_runs_configuration_key() {
        std::vector<tbdb::RunRecord> runs;
        for (const auto& [id, r] : by_id_) runs.push_back(r);
        const auto rows = parse_csv(export_metrics_csv(runs), "metrics.csv");
        const auto& header = rows[0].cells;
        const auto key_col = std::find(header.begin(), header.end(), "config_key") - header.begin();
        const auto id_col = std::find(header.begin(), header.end(), "run_id") - header.begin();
        QVERIFY(key_col < static_cast<long>(header.size()));
        for (size_t i = 1; i < rows.size(); ++i) {
            const auto& r = by_id_.at(std::stoll(rows[i].cells[id_col]));
            QCOMPARE(QString::fromStdString(csv_text_from_cell(rows[i].cells[key_col])),
                     QString::fromStdString(run_config(r).key()));
        }
        const auto j = run_to_json(runs);
        for (const auto& r : j["runs"])
            QCOMPARE(QString::fromStdString(r["config_key"].get<std::string>()),
                     QString::fromStdString(run_config(by_id_.at(r["id"].get<int64_t>())).key()));
        // Keys tell the two implementations' setups apart but share the experiment.
        QVERIFY(run_config(by_id_.at(4)).key() != run_config(by_id_.at(9)).key());
        QCOMPARE(QString::fromStdString(run_config(by_id_.at(4)).experiment_key()),
                 QString::fromStdString(run_config(by_id_.at(9)).experiment_key()));
    }
};

QTEST_GUILESS_MAIN(TestPairing)
#include "test_pairing.moc"
