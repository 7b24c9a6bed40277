#include "app/reports/csv_export.h"

#include <algorithm>
#include <map>

#include "app/reports/csv.h"
#include "app/reports/run_config.h"
#include "app/stats/text_format.h"

namespace bench {
namespace {

const std::vector<std::string> kMetricsHeader = {
    "run_id", "uuid", "workload", "implementation", "kernel", "model", "threads", "metric", "value", "unit",
    "n", "note", "status", "impl_version", "model_sha256", "started_at", "config_key", "experiment_key"};
const std::vector<std::string> kSamplesHeader = {"run_id", "uuid", "kind", "series", "request",
                                                 "index", "value", "unit"};

std::string int_cell(int64_t v) { return std::to_string(v); }
std::string opt_cell(const std::optional<double>& v) { return v ? csv_number_cell(*v) : std::string(); }

std::string header_line(const std::vector<std::string>& names) {
    std::vector<std::string> cells;
    for (const auto& n : names) cells.push_back(csv_text_cell(n));
    return csv_line(cells);
}

// Maps column names to positions and checks every row has them all.
struct Columns {
    std::map<std::string, size_t> pos;
    const std::string& origin;
    Columns(const CsvRow& header, const std::vector<std::string>& required, const std::string& org) : origin(org) {
        for (size_t i = 0; i < header.cells.size(); ++i) pos[header.cells[i]] = i;
        for (const auto& r : required)
            if (!pos.count(r))
                throw CsvError(origin + ":" + std::to_string(header.line) + ": missing column \"" + r + "\"");
    }
    const std::string& at(const CsvRow& row, const std::string& name) const {
        const size_t i = pos.at(name);
        if (i >= row.cells.size())
            throw CsvError(origin + ":" + std::to_string(row.line) + ": expected " + std::to_string(pos.size()) +
                           " columns, got " + std::to_string(row.cells.size()));
        return row.cells[i];
    }
    std::string text(const CsvRow& row, const std::string& name) const { return csv_text_from_cell(at(row, name)); }
    std::optional<double> number(const CsvRow& row, const std::string& name) const {
        const std::string& c = at(row, name);
        if (c.empty()) return std::nullopt;
        auto v = parse_double(c);
        if (!v)
            throw CsvError(origin + ":" + std::to_string(row.line) + ": column \"" + name + "\" is not a number: \"" +
                           c + "\"");
        return v;
    }
    int64_t integer(const CsvRow& row, const std::string& name) const {
        return static_cast<int64_t>(number(row, name).value_or(0.0));
    }
};

bool header_is(const std::vector<std::string>& header, const std::vector<std::string>& expected) {
    // Our own header, possibly with columns added by later versions after it.
    if (header.size() < expected.size()) return false;
    for (size_t i = 0; i < expected.size(); ++i)
        if (header[i] != expected[i]) return false;
    return true;
}

}  // namespace

bool is_metrics_csv_header(const std::vector<std::string>& header) {
    return header_is(header, {kMetricsHeader.begin(), kMetricsHeader.begin() + 11});
}
bool is_samples_csv_header(const std::vector<std::string>& header) { return header_is(header, kSamplesHeader); }

std::string samples_csv_path_for(const std::string& path) {
    const auto slash = path.find_last_of('/');
    const auto dot = path.find_last_of('.');
    if (dot != std::string::npos && (slash == std::string::npos || dot > slash))
        return path.substr(0, dot) + ".samples" + path.substr(dot);
    return path + ".samples.csv";
}

std::string export_metrics_csv(const std::vector<tbdb::RunRecord>& runs) {
    std::string out = header_line(kMetricsHeader);
    for (const auto& r : runs) {
        const RunConfig config = run_config(r);
        const std::string key = csv_text_cell(config.key()), experiment = csv_text_cell(config.experiment_key());
        auto row = [&](const tbdb::Metric* m) {
            out += csv_line({int_cell(r.id), csv_text_cell(r.uuid), csv_text_cell(r.workload),
                             csv_text_cell(r.implementation), csv_text_cell(r.kernel), csv_text_cell(r.model.path),
                             int_cell(r.threads), csv_text_cell(m ? m->name : ""), m ? opt_cell(m->value) : "",
                             csv_text_cell(m ? m->unit : ""), m ? int_cell(m->n) : "", csv_text_cell(m ? m->note : ""),
                             csv_text_cell(tbdb::status_name(r.status)), csv_text_cell(r.impl_version),
                             csv_text_cell(r.model.sha256), csv_text_cell(r.started_at), key, experiment});
        };
        if (r.metrics.empty()) row(nullptr);
        for (const auto& m : r.metrics) row(&m);
    }
    return out;
}

std::string export_samples_csv(const std::vector<tbdb::RunRecord>& runs) {
    std::string out = header_line(kSamplesHeader);
    for (const auto& r : runs) {
        const std::string id = int_cell(r.id), uuid = csv_text_cell(r.uuid);
        auto row = [&](const char* kind, const std::string& series, const std::string& request,
                       const std::string& index, const std::string& value, const std::string& unit) {
            out += csv_line({id, uuid, kind, csv_text_cell(series), request, index, value, csv_text_cell(unit)});
        };
        for (const auto& s : r.samples)
            for (size_t i = 0; i < s.values.size(); ++i)
                row("sample", s.name, "", int_cell(static_cast<int64_t>(i)), csv_number_cell(s.values[i]), s.unit);
        for (size_t q = 0; q < r.requests.size(); ++q) {
            const auto& req = r.requests[q];
            const std::string qi = int_cell(static_cast<int64_t>(q));
            row("request", "index", qi, "", int_cell(req.index), "");
            row("request", "repetition", qi, "", int_cell(req.repetition), "");
            row("request", "prompt_tokens", qi, "", int_cell(req.prompt_tokens), "tokens");
            row("request", "output_tokens", qi, "", int_cell(req.output_tokens), "tokens");
            row("request", "submit_ms", qi, "", csv_number_cell(req.submit_ms), "ms");
            row("request", "ttft_ms", qi, "", opt_cell(req.ttft_ms), "ms");
            row("request", "e2e_ms", qi, "", opt_cell(req.e2e_ms), "ms");
            row("request", "stop_reason", qi, "", csv_text_cell(req.stop_reason), "");
            for (size_t t = 0; t < req.token_times_ms.size(); ++t)
                row("token_time", "token_time_ms", qi, int_cell(static_cast<int64_t>(t)),
                    format_shortest(req.token_times_ms[t]), "ms");
        }
        for (size_t i = 0; i < r.resources.size(); ++i) {
            const auto& s = r.resources[i];
            const std::string si = int_cell(static_cast<int64_t>(i));
            row("resource", "t_ms", "", si, csv_number_cell(s.t_ms), "ms");
            row("resource", "rss_anon_mb", "", si, csv_number_cell(s.rss_anon_mb), "MB");
            row("resource", "rss_file_mb", "", si, csv_number_cell(s.rss_file_mb), "MB");
            row("resource", "vm_hwm_mb", "", si, csv_number_cell(s.vm_hwm_mb), "MB");
            row("resource", "cpu_user_s", "", si, csv_number_cell(s.cpu_user_s), "s");
            row("resource", "cpu_sys_s", "", si, csv_number_cell(s.cpu_sys_s), "s");
            row("resource", "threads", "", si, int_cell(s.threads), "");
        }
    }
    return out;
}

std::vector<tbdb::RunRecord> runs_from_csv(const std::string& metrics_text, const std::string& metrics_origin,
                                           const std::string& samples_text, const std::string& samples_origin) {
    std::vector<tbdb::RunRecord> runs;
    std::map<std::string, size_t> by_uuid;
    const auto rows = parse_csv(metrics_text, metrics_origin);
    if (rows.empty()) throw CsvError(metrics_origin + ": empty file");
    if (!is_metrics_csv_header(rows[0].cells))
        throw CsvError(metrics_origin + ":" + std::to_string(rows[0].line) +
                       ": not a ternbench metrics CSV (header must start with run_id,uuid,workload,...)");
    const Columns col(rows[0], kMetricsHeader, metrics_origin);
    for (size_t i = 1; i < rows.size(); ++i) {
        const CsvRow& row = rows[i];
        const std::string uuid = col.text(row, "uuid");
        if (uuid.empty()) throw CsvError(metrics_origin + ":" + std::to_string(row.line) + ": empty uuid");
        auto [it, fresh] = by_uuid.try_emplace(uuid, runs.size());
        if (fresh) {
            tbdb::RunRecord r;
            r.id = col.integer(row, "run_id");
            r.uuid = uuid;
            r.workload = col.text(row, "workload");
            r.implementation = col.text(row, "implementation");
            r.kernel = col.text(row, "kernel");
            r.model.path = col.text(row, "model");
            r.threads = static_cast<int>(col.integer(row, "threads"));
            const std::string status = col.text(row, "status");
            auto s = tbdb::status_from_name(status);
            if (!s)
                throw CsvError(metrics_origin + ":" + std::to_string(row.line) + ": unknown status \"" + status + "\"");
            r.status = *s;
            r.impl_version = col.text(row, "impl_version");
            r.model.sha256 = col.text(row, "model_sha256");
            r.started_at = col.text(row, "started_at");
            runs.push_back(std::move(r));
        }
        const std::string name = col.text(row, "metric");
        if (name.empty()) continue;
        tbdb::Metric m;
        m.name = name;
        m.value = col.number(row, "value");
        m.unit = col.text(row, "unit");
        m.n = col.integer(row, "n");
        m.note = col.text(row, "note");
        runs[it->second].metrics.push_back(std::move(m));
    }
    if (samples_text.empty()) return runs;

    const auto srows = parse_csv(samples_text, samples_origin);
    if (srows.empty()) return runs;
    if (!is_samples_csv_header(srows[0].cells))
        throw CsvError(samples_origin + ":" + std::to_string(srows[0].line) + ": not a ternbench samples CSV");
    const Columns sc(srows[0], kSamplesHeader, samples_origin);
    auto fail = [&](const CsvRow& row, const std::string& what) {
        throw CsvError(samples_origin + ":" + std::to_string(row.line) + ": " + what);
    };
    for (size_t i = 1; i < srows.size(); ++i) {
        const CsvRow& row = srows[i];
        auto it = by_uuid.find(sc.text(row, "uuid"));
        if (it == by_uuid.end()) fail(row, "run " + sc.text(row, "uuid") + " is not in the metrics file");
        tbdb::RunRecord& r = runs[it->second];
        const std::string kind = sc.text(row, "kind"), series = sc.text(row, "series");
        if (kind == "sample") {
            auto s = std::find_if(r.samples.begin(), r.samples.end(), [&](auto& x) { return x.name == series; });
            if (s == r.samples.end()) {
                r.samples.push_back({series, sc.text(row, "unit"), {}});
                s = r.samples.end() - 1;
            }
            const auto v = sc.number(row, "value");
            if (!v) fail(row, "sample without a value");
            s->values.push_back(*v);
        } else if (kind == "request" || kind == "token_time") {
            const int64_t q = sc.integer(row, "request");
            if (q < 0 || q > 10'000'000) fail(row, "bad request position");
            if (r.requests.size() <= static_cast<size_t>(q)) r.requests.resize(static_cast<size_t>(q) + 1);
            tbdb::RequestRecord& req = r.requests[static_cast<size_t>(q)];
            if (kind == "token_time") {
                const auto v = sc.number(row, "value");
                if (!v) fail(row, "token time without a value");
                req.token_times_ms.push_back(static_cast<float>(*v));
            } else if (series == "stop_reason") {
                req.stop_reason = sc.text(row, "value");
            } else {
                const auto v = sc.number(row, "value");
                if (series == "ttft_ms") req.ttft_ms = v;
                else if (series == "e2e_ms") req.e2e_ms = v;
                else if (series == "submit_ms") req.submit_ms = v.value_or(0.0);
                else if (series == "index") req.index = static_cast<int>(v.value_or(0.0));
                else if (series == "repetition") req.repetition = static_cast<int>(v.value_or(0.0));
                else if (series == "prompt_tokens") req.prompt_tokens = static_cast<int>(v.value_or(0.0));
                else if (series == "output_tokens") req.output_tokens = static_cast<int>(v.value_or(0.0));
                else fail(row, "unknown request field \"" + series + "\"");
            }
        } else if (kind == "resource") {
            const int64_t k = sc.integer(row, "index");
            if (k < 0 || k > 100'000'000) fail(row, "bad resource sample position");
            if (r.resources.size() <= static_cast<size_t>(k)) r.resources.resize(static_cast<size_t>(k) + 1);
            tbdb::ResourceSample& s = r.resources[static_cast<size_t>(k)];
            const double v = sc.number(row, "value").value_or(0.0);
            if (series == "t_ms") s.t_ms = v;
            else if (series == "rss_anon_mb") s.rss_anon_mb = v;
            else if (series == "rss_file_mb") s.rss_file_mb = v;
            else if (series == "vm_hwm_mb") s.vm_hwm_mb = v;
            else if (series == "cpu_user_s") s.cpu_user_s = v;
            else if (series == "cpu_sys_s") s.cpu_sys_s = v;
            else if (series == "threads") s.threads = static_cast<int>(v);
            else fail(row, "unknown resource field \"" + series + "\"");
        } else {
            fail(row, "unknown kind \"" + kind + "\"");
        }
    }
    return runs;
}

}  // namespace bench
