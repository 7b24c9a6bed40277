#include "app/reports/side_by_side.h"

#include <algorithm>
#include <map>

#include "app/reports/comparison.h"
#include "app/reports/history_configs.h"
#include "app/reports/markdown_report.h"
#include "app/reports/pairing.h"
#include "app/reports/run_config.h"
#include "app/stats/text_format.h"

namespace bench {
namespace {

bool throughput_test(const tbdb::RunRecord& r) { return r.workload == "pp" || r.workload == "tg" || r.workload == "pg"; }

// The headline figure of a pp/tg run: its median tok/s when stored, else the mean.
const tbdb::Metric* tok_s(const tbdb::RunRecord& r) {
    for (const char* name : {"tok_s_median", "tok_s"})
        if (const auto* m = r.metric(name); m && m->value) return m;
    return nullptr;
}

}  // namespace

std::string markdown_side_by_side(const std::vector<const tbdb::RunRecord*>& current,
                                  const std::vector<const tbdb::RunRecord*>& others) {
    struct Row {
        RunConfig config;   // the first run's: later runs join when pairing calls them the same experiment
        bool by_name = false;
        std::map<std::string, const tbdb::RunRecord*> newest;   // column -> newest run
    };
    std::vector<Row> rows;   // in order of first appearance among the current runs
    // The row of an experiment; a model without sha256 matches by file name and parameter count.
    auto row_of = [&](const RunConfig& c) -> Row* {
        for (auto& row : rows) {
            const ConfigMatch m = match_configs(c, row.config);
            if (m.same) {
                // Said only when a run without sha256 joined one with it (or the other way round).
                row.by_name = row.by_name || (m.matched_by_name && c.model_key() != row.config.model_key());
                return &row;
            }
        }
        return nullptr;
    };
    for (const auto* r : current) {
        if (!comparable(*r) || !throughput_test(*r) || !tok_s(*r)) continue;
        const RunConfig c = run_config(*r);
        if (!row_of(c)) rows.push_back({c, false, {}});
    }
    if (rows.empty()) return {};

    // One column per implementation setup by name ("ik_llama.cpp" and "ik_llama.cpp -rtr 1" apart).
    std::vector<std::string> columns;
    auto consider = [&](const tbdb::RunRecord* r) {
        if (!comparable(*r) || !throughput_test(*r) || !tok_s(*r)) return;
        const RunConfig c = run_config(*r);
        Row* row = row_of(c);
        if (!row) return;
        const std::string column = series_name(c);
        if (std::find(columns.begin(), columns.end(), column) == columns.end()) columns.push_back(column);
        const tbdb::RunRecord*& cell = row->newest[column];
        if (!cell || r->started_at > cell->started_at) cell = r;
    };
    for (const auto* r : current) consider(r);
    for (const auto* r : others) consider(r);

    std::string out = "## Implementations side by side\n\n";
    out += "Median tok/s of the newest completed run of each implementation on each experiment "
           "(same model, test, threads and settings); an empty cell: no such run of that program here.\n\n";
    std::vector<std::string> head = {"experiment"};
    for (const auto& column : columns) head.push_back(markdown_cell(column));
    out += markdown_row(head);
    out += "|---|";
    for (size_t i = 0; i < columns.size(); ++i) out += "---:|";
    out += "\n";
    for (const auto& row : rows) {
        std::vector<std::string> cells = {markdown_cell(row.config.describe()) + (row.by_name ? " (matched by name)" : "")};
        for (const auto& column : columns) {
            auto it = row.newest.find(column);
            cells.push_back(it == row.newest.end() ? std::string()
                                                   : format_number(*tok_s(*it->second)->value) + " (#" +
                                                         std::to_string(it->second->id) + ")");
        }
        out += markdown_row(cells);
    }
    return out + "\n";
}

}  // namespace bench
