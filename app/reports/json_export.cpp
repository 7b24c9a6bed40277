#include "app/reports/json_export.h"

#include <cmath>

#include "app/reports/run_config.h"

namespace bench {
namespace {

using ojson = nlohmann::ordered_json;

template <class J>
J number_or_null(const std::optional<double>& v) {
    if (v && std::isfinite(*v)) return J(*v);
    return J(nullptr);
}
template <class J>
J number_or_null(double v) {
    return std::isfinite(v) ? J(v) : J(nullptr);
}

// ---- reading ----------------------------------------------------------------------------

struct Reader {
    const std::string& origin;
    std::string where;   // "run 2"

    [[noreturn]] void fail(const std::string& field, const std::string& what) const {
        throw JsonImportError(origin + ": " + where + ": field \"" + field + "\" " + what);
    }
    std::string str(const ojson& o, const char* key) const {
        auto it = o.find(key);
        if (it == o.end() || it->is_null()) return {};
        if (!it->is_string()) fail(key, "must be a string");
        return it->get<std::string>();
    }
    int64_t integer(const ojson& o, const char* key) const {
        auto it = o.find(key);
        if (it == o.end() || it->is_null()) return 0;
        if (!it->is_number()) fail(key, "must be a number");
        const double d = it->get<double>();
        if (it->is_number_float() && d != std::floor(d)) fail(key, "must be a whole number");
        return it->is_number_float() ? static_cast<int64_t>(d) : it->get<int64_t>();
    }
    std::optional<double> opt_number(const ojson& o, const char* key) const {
        auto it = o.find(key);
        if (it == o.end() || it->is_null()) return std::nullopt;
        if (!it->is_number()) fail(key, "must be a number or null");
        return it->get<double>();
    }
    double number(const ojson& o, const char* key) const { return opt_number(o, key).value_or(0.0); }
    const ojson* array(const ojson& o, const char* key) const {
        auto it = o.find(key);
        if (it == o.end() || it->is_null()) return nullptr;
        if (!it->is_array()) fail(key, "must be an array");
        return &*it;
    }
    const ojson* object(const ojson& o, const char* key) const {
        auto it = o.find(key);
        if (it == o.end() || it->is_null()) return nullptr;
        if (!it->is_object()) fail(key, "must be an object");
        return &*it;
    }
};

tbdb::Metric metric_from(const Reader& rd, const std::string& name, const ojson& m) {
    tbdb::Metric out;
    out.name = name;
    if (m.is_number()) {   // tolerate "NAME": 12.5
        out.value = m.get<double>();
        return out;
    }
    if (!m.is_object()) rd.fail("metrics." + name, "must be an object");
    out.value = rd.opt_number(m, "value");
    out.unit = rd.str(m, "unit");
    out.n = rd.integer(m, "n");
    out.note = rd.str(m, "note");
    return out;
}

tbdb::RunRecord run_from(const Reader& rd, const ojson& j) {
    if (!j.is_object()) rd.fail("runs[]", "must be an object");
    tbdb::RunRecord r;
    r.id = rd.integer(j, "id");
    r.uuid = rd.str(j, "uuid");
    r.started_at = rd.str(j, "started_at");
    r.finished_at = rd.str(j, "finished_at");
    const std::string status = rd.str(j, "status");
    if (!status.empty()) {
        auto s = tbdb::status_from_name(status);
        if (!s) rd.fail("status", "has an unknown value \"" + status + "\"");
        r.status = *s;
    } else {
        r.status = tbdb::RunStatus::Completed;
    }
    r.workload = rd.str(j, "workload");
    r.implementation = rd.str(j, "implementation");
    r.kernel = rd.str(j, "kernel");
    r.impl_version = rd.str(j, "impl_version");
    r.threads = static_cast<int>(rd.integer(j, "threads"));
    if (auto it = j.find("config"); it != j.end() && !it->is_null()) {
        r.config_json = nlohmann::json::parse(it->dump()).dump();   // sorted keys, as BenchmarkSpec writes
    } else {
        r.config_json = rd.str(j, "config_json");
    }
    if (const ojson* h = rd.object(j, "host")) {
        r.host.hostname = rd.str(*h, "hostname");
        r.host.cpu_model = rd.str(*h, "cpu_model");
        r.host.os = rd.str(*h, "os");
        r.host.kernel = rd.str(*h, "kernel");
        r.host.physical_cores = static_cast<int>(rd.integer(*h, "physical_cores"));
        r.host.logical_cores = static_cast<int>(rd.integer(*h, "logical_cores"));
        r.host.cpu_flags = rd.str(*h, "cpu_flags");
        r.host.mem_total_gb = rd.number(*h, "mem_total_gb");
    }
    if (const ojson* m = rd.object(j, "model")) {
        r.model.path = rd.str(*m, "path");
        r.model.sha256 = rd.str(*m, "sha256");
        r.model.arch = rd.str(*m, "arch");
        r.model.ternary_type = rd.str(*m, "ternary_type");
        r.model.size_bytes = rd.integer(*m, "size_bytes");
        r.model.n_params = rd.integer(*m, "n_params");
    }
    r.error = rd.str(j, "error");
    r.source = rd.str(j, "source");
    if (auto it = j.find("metrics"); it != j.end() && !it->is_null()) {
        if (it->is_object()) {
            for (auto m = it->begin(); m != it->end(); ++m) r.metrics.push_back(metric_from(rd, m.key(), m.value()));
        } else if (it->is_array()) {
            for (const auto& m : *it) r.metrics.push_back(metric_from(rd, rd.str(m, "name"), m));
        } else {
            rd.fail("metrics", "must be an object");
        }
    }
    if (const ojson* arr = rd.array(j, "samples")) {
        for (const auto& s : *arr) {
            if (!s.is_object()) rd.fail("samples[]", "must be an object");
            tbdb::SampleSeries series;
            series.name = rd.str(s, "name");
            series.unit = rd.str(s, "unit");
            if (const ojson* vals = rd.array(s, "values"))
                for (const auto& v : *vals) {
                    if (!v.is_number()) rd.fail("samples." + series.name, "holds a non-number");
                    series.values.push_back(v.get<double>());
                }
            r.samples.push_back(std::move(series));
        }
    }
    if (const ojson* arr = rd.array(j, "requests")) {
        for (const auto& q : *arr) {
            if (!q.is_object()) rd.fail("requests[]", "must be an object");
            tbdb::RequestRecord req;
            req.index = static_cast<int>(rd.integer(q, "index"));
            req.repetition = static_cast<int>(rd.integer(q, "repetition"));
            req.prompt_tokens = static_cast<int>(rd.integer(q, "prompt_tokens"));
            req.output_tokens = static_cast<int>(rd.integer(q, "output_tokens"));
            req.submit_ms = rd.number(q, "submit_ms");
            req.ttft_ms = rd.opt_number(q, "ttft_ms");
            req.e2e_ms = rd.opt_number(q, "e2e_ms");
            if (const ojson* tt = rd.array(q, "token_times_ms"))
                for (const auto& v : *tt) {
                    if (!v.is_number()) rd.fail("requests.token_times_ms", "holds a non-number");
                    req.token_times_ms.push_back(static_cast<float>(v.get<double>()));
                }
            req.stop_reason = rd.str(q, "stop_reason");
            r.requests.push_back(std::move(req));
        }
    }
    if (const ojson* arr = rd.array(j, "resources")) {
        for (const auto& s : *arr) {
            if (!s.is_object()) rd.fail("resources[]", "must be an object");
            tbdb::ResourceSample rs;
            rs.t_ms = rd.number(s, "t_ms");
            rs.rss_anon_mb = rd.number(s, "rss_anon_mb");
            rs.rss_file_mb = rd.number(s, "rss_file_mb");
            rs.vm_hwm_mb = rd.number(s, "vm_hwm_mb");
            rs.cpu_user_s = rd.number(s, "cpu_user_s");
            rs.cpu_sys_s = rd.number(s, "cpu_sys_s");
            rs.threads = static_cast<int>(rd.integer(s, "threads"));
            r.resources.push_back(rs);
        }
    }
    return r;
}

}  // namespace

nlohmann::json run_object_json(const tbdb::RunRecord& run) {
    nlohmann::json j;
    j["id"] = run.id;
    j["uuid"] = run.uuid;
    j["workload"] = run.workload;
    j["implementation"] = run.implementation;
    j["kernel"] = run.kernel;
    j["status"] = tbdb::status_name(run.status);
    j["threads"] = run.threads;
    j["model"] = {{"path", run.model.path}, {"sha256", run.model.sha256}};
    const RunConfig config = run_config(run);
    j["config_key"] = config.key();
    j["experiment_key"] = config.experiment_key();
    nlohmann::json metrics = nlohmann::json::object();
    for (const auto& m : run.metrics) {
        nlohmann::json mj = {{"value", number_or_null<nlohmann::json>(m.value)}, {"unit", m.unit}, {"n", m.n}};
        if (!m.note.empty()) mj["note"] = m.note;
        metrics[m.name] = std::move(mj);
    }
    j["metrics"] = std::move(metrics);
    if (!run.error.empty()) j["error"] = run.error;
    return j;
}

nlohmann::json run_to_json(const std::vector<tbdb::RunRecord>& runs) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& r : runs) arr.push_back(run_object_json(r));
    return nlohmann::json{{"runs", std::move(arr)}};
}

nlohmann::json run_to_json(const tbdb::RunRecord& run) { return run_to_json(std::vector<tbdb::RunRecord>{run}); }

nlohmann::ordered_json run_full_json(const tbdb::RunRecord& run) {
    ojson j;
    j["id"] = run.id;
    j["uuid"] = run.uuid;
    j["started_at"] = run.started_at;
    j["finished_at"] = run.finished_at;
    j["status"] = tbdb::status_name(run.status);
    j["workload"] = run.workload;
    j["implementation"] = run.implementation;
    j["kernel"] = run.kernel;
    j["impl_version"] = run.impl_version;
    j["threads"] = run.threads;
    {
        const RunConfig config = run_config(run);
        j["config_key"] = config.key();
        j["experiment_key"] = config.experiment_key();
    }
    const auto cfg = ojson::parse(run.config_json, nullptr, false);
    if (!run.config_json.empty() && !cfg.is_discarded())
        j["config"] = cfg;
    else
        j["config_json"] = run.config_json;
    j["host"] = {{"hostname", run.host.hostname},
                 {"cpu_model", run.host.cpu_model},
                 {"os", run.host.os},
                 {"kernel", run.host.kernel},
                 {"physical_cores", run.host.physical_cores},
                 {"logical_cores", run.host.logical_cores},
                 {"cpu_flags", run.host.cpu_flags},
                 {"mem_total_gb", number_or_null<ojson>(run.host.mem_total_gb)}};
    j["model"] = {{"path", run.model.path},
                  {"sha256", run.model.sha256},
                  {"arch", run.model.arch},
                  {"ternary_type", run.model.ternary_type},
                  {"size_bytes", run.model.size_bytes},
                  {"n_params", run.model.n_params}};
    j["error"] = run.error;
    j["source"] = run.source;
    ojson metrics = ojson::object();
    for (const auto& m : run.metrics)
        metrics[m.name] = {{"value", number_or_null<ojson>(m.value)}, {"unit", m.unit}, {"n", m.n}, {"note", m.note}};
    j["metrics"] = std::move(metrics);
    ojson samples = ojson::array();
    for (const auto& s : run.samples) {
        ojson vals = ojson::array();
        for (double v : s.values) vals.push_back(number_or_null<ojson>(v));
        samples.push_back({{"name", s.name}, {"unit", s.unit}, {"values", std::move(vals)}});
    }
    j["samples"] = std::move(samples);
    ojson requests = ojson::array();
    for (const auto& q : run.requests) {
        ojson tt = ojson::array();
        for (float t : q.token_times_ms) tt.push_back(number_or_null<ojson>(static_cast<double>(t)));
        requests.push_back({{"index", q.index},
                            {"repetition", q.repetition},
                            {"prompt_tokens", q.prompt_tokens},
                            {"output_tokens", q.output_tokens},
                            {"submit_ms", number_or_null<ojson>(q.submit_ms)},
                            {"ttft_ms", number_or_null<ojson>(q.ttft_ms)},
                            {"e2e_ms", number_or_null<ojson>(q.e2e_ms)},
                            {"token_times_ms", std::move(tt)},
                            {"stop_reason", q.stop_reason}});
    }
    j["requests"] = std::move(requests);
    ojson resources = ojson::array();
    for (const auto& s : run.resources)
        resources.push_back({{"t_ms", number_or_null<ojson>(s.t_ms)},
                             {"rss_anon_mb", number_or_null<ojson>(s.rss_anon_mb)},
                             {"rss_file_mb", number_or_null<ojson>(s.rss_file_mb)},
                             {"vm_hwm_mb", number_or_null<ojson>(s.vm_hwm_mb)},
                             {"cpu_user_s", number_or_null<ojson>(s.cpu_user_s)},
                             {"cpu_sys_s", number_or_null<ojson>(s.cpu_sys_s)},
                             {"threads", s.threads}});
    j["resources"] = std::move(resources);
    return j;
}

std::string export_json(const std::vector<tbdb::RunRecord>& runs, int indent) {
    ojson doc;
    doc["schema_version"] = kExportSchemaVersion;
    doc["generator"] = "ternbench";
    ojson arr = ojson::array();
    for (const auto& r : runs) arr.push_back(run_full_json(r));
    doc["runs"] = std::move(arr);
    return doc.dump(indent) + "\n";
}

bool is_ternbench_json(const nlohmann::ordered_json& doc) {
    return doc.is_object() && doc.contains("runs") && doc["runs"].is_array();
}

std::vector<tbdb::RunRecord> runs_from_export_json(const nlohmann::ordered_json& doc, const std::string& origin) {
    if (!is_ternbench_json(doc)) throw JsonImportError(origin + ": not a ternbench JSON export (no \"runs\" array)");
    if (auto it = doc.find("schema_version"); it != doc.end()) {
        if (!it->is_number_integer()) throw JsonImportError(origin + ": \"schema_version\" must be an integer");
        const int v = it->get<int>();
        if (v > kExportSchemaVersion)
            throw JsonImportError(origin + ": schema_version " + std::to_string(v) +
                                  " was written by a newer ternbench (this one reads up to " +
                                  std::to_string(kExportSchemaVersion) + ")");
        if (v < 1) throw JsonImportError(origin + ": invalid schema_version " + std::to_string(v));
    }
    std::vector<tbdb::RunRecord> runs;
    const auto& arr = doc["runs"];
    for (size_t i = 0; i < arr.size(); ++i) {
        Reader rd{origin, "run " + std::to_string(i + 1)};
        runs.push_back(run_from(rd, arr[i]));
    }
    return runs;
}

}  // namespace bench
