// Reading runs: one full run with its raw data, and the light listing for tables and charts.
// Each read runs in one read transaction so it sees a single consistent snapshot (WAL),
// even while another process is writing.
#include <SQLiteCpp/Transaction.h>

#include <algorithm>
#include <unordered_map>

#include "db/blob_codec.h"
#include "db/run_store_impl.h"

namespace tbdb {

namespace {

std::optional<double> optional_double(const SQLite::Column& c) {
    if (c.isNull()) return std::nullopt;
    return c.getDouble();
}

std::string text(const SQLite::Column& c) { return c.isNull() ? std::string() : c.getString(); }

Metric read_metric(SQLite::Statement& q, int first) {
    Metric m;
    m.name = text(q.getColumn(first));
    m.value = optional_double(q.getColumn(first + 1));
    m.unit = text(q.getColumn(first + 2));
    m.n = q.getColumn(first + 3).getInt64();
    m.note = text(q.getColumn(first + 4));
    return m;
}

// A JSON array of ids, bound as ONE parameter and expanded by json_each in SQL.
std::string json_id_array(const std::vector<int64_t>& ids) {
    std::string out = "[";
    for (size_t i = 0; i < ids.size(); ++i) {
        if (i) out += ',';
        out += std::to_string(ids[i]);
    }
    return out + "]";
}

void read_run_row(SQLite::Statement& q, RunRecord& run) {
    run.id = q.getColumn(0).getInt64();
    run.uuid = text(q.getColumn(1));
    run.started_at = text(q.getColumn(2));
    run.finished_at = text(q.getColumn(3));
    const std::string status = text(q.getColumn(4));
    const auto parsed = status_from_name(status);
    if (!parsed) throw StoreError("run " + std::to_string(run.id) + " has unknown status '" +
                                  status + "'");
    run.status = *parsed;
    run.workload = text(q.getColumn(5));
    run.implementation = text(q.getColumn(6));
    run.kernel = text(q.getColumn(7));
    run.impl_version = text(q.getColumn(8));
    run.threads = q.getColumn(9).getInt();
    run.config_json = text(q.getColumn(10));
    run.error = text(q.getColumn(11));
    run.source = text(q.getColumn(12));
    run.host.hostname = text(q.getColumn(13));
    run.host.cpu_model = text(q.getColumn(14));
    run.host.os = text(q.getColumn(15));
    run.host.kernel = text(q.getColumn(16));
    run.host.physical_cores = q.getColumn(17).getInt();
    run.host.logical_cores = q.getColumn(18).getInt();
    run.host.cpu_flags = text(q.getColumn(19));
    run.host.mem_total_gb = q.getColumn(20).getDouble();
    run.model.path = text(q.getColumn(21));
    run.model.sha256 = text(q.getColumn(22));
    run.model.size_bytes = q.getColumn(23).getInt64();
    run.model.arch = text(q.getColumn(24));
    run.model.ternary_type = text(q.getColumn(25));
    run.model.n_params = q.getColumn(26).getInt64();
}

}  // namespace

std::optional<RunRecord> RunStore::Impl::load_run_by_id(int64_t id) const {
    SQLite::Transaction snapshot(*db);   // deferred: a read snapshot, rolled back at the end
    RunRecord run;
    {
        SQLite::Statement q(*db,
                            "SELECT r.id, r.uuid, r.started_at, r.finished_at, r.status, "
                            "r.workload, i.name, r.kernel, r.impl_version, r.threads, "
                            "r.config_json, r.error, r.source, h.hostname, h.cpu_model, h.os, "
                            "h.kernel, h.physical_cores, h.logical_cores, h.cpu_flags, "
                            "h.mem_total_gb, m.path, m.sha256, m.size_bytes, m.arch, "
                            "m.ternary_type, m.n_params "
                            "FROM runs r "
                            "LEFT JOIN implementations i ON i.id = r.implementation_id "
                            "LEFT JOIN hosts h ON h.id = r.host_id "
                            "LEFT JOIN models m ON m.id = r.model_id WHERE r.id = ?");
        q.bind(1, static_cast<int64_t>(id));
        if (!q.executeStep()) return std::nullopt;
        read_run_row(q, run);
    }
    {
        SQLite::Statement q(*db,
                            "SELECT name, value, unit, n, note FROM metrics WHERE run_id = ? "
                            "ORDER BY id");
        q.bind(1, static_cast<int64_t>(id));
        while (q.executeStep()) run.metrics.push_back(read_metric(q, 0));
    }
    {
        SQLite::Statement q(*db,
                            "SELECT name, unit, n, sample_values FROM sample_series "
                            "WHERE run_id = ? ORDER BY id");
        q.bind(1, static_cast<int64_t>(id));
        while (q.executeStep()) {
            SampleSeries s;
            s.name = text(q.getColumn(0));
            s.unit = text(q.getColumn(1));
            const SQLite::Column blob = q.getColumn(3);
            s.values = blob::unpack_f64(blob.getBlob(), static_cast<size_t>(blob.getBytes()));
            if (static_cast<int64_t>(s.values.size()) != q.getColumn(2).getInt64())
                throw StoreError("sample series '" + s.name + "' of run " + std::to_string(id) +
                                 " is damaged (wrong number of values)");
            run.samples.push_back(std::move(s));
        }
    }
    {
        SQLite::Statement q(*db,
                            "SELECT idx, repetition, prompt_tokens, output_tokens, submit_ms, "
                            "ttft_ms, e2e_ms, token_times, stop_reason FROM requests "
                            "WHERE run_id = ? ORDER BY id");
        q.bind(1, static_cast<int64_t>(id));
        while (q.executeStep()) {
            RequestRecord r;
            r.index = q.getColumn(0).getInt();
            r.repetition = q.getColumn(1).getInt();
            r.prompt_tokens = q.getColumn(2).getInt();
            r.output_tokens = q.getColumn(3).getInt();
            r.submit_ms = q.getColumn(4).getDouble();
            r.ttft_ms = optional_double(q.getColumn(5));
            r.e2e_ms = optional_double(q.getColumn(6));
            const SQLite::Column blob = q.getColumn(7);
            r.token_times_ms =
                blob::unpack_f32(blob.getBlob(), static_cast<size_t>(blob.getBytes()));
            r.stop_reason = text(q.getColumn(8));
            run.requests.push_back(std::move(r));
        }
    }
    {
        SQLite::Statement q(*db,
                            "SELECT t_ms, rss_anon_mb, rss_file_mb, vm_hwm_mb, cpu_user_s, "
                            "cpu_sys_s, threads FROM resource_samples WHERE run_id = ? "
                            "ORDER BY id");
        q.bind(1, static_cast<int64_t>(id));
        while (q.executeStep()) {
            ResourceSample r;
            r.t_ms = q.getColumn(0).getDouble();
            r.rss_anon_mb = q.getColumn(1).getDouble();
            r.rss_file_mb = q.getColumn(2).getDouble();
            r.vm_hwm_mb = q.getColumn(3).getDouble();
            r.cpu_user_s = q.getColumn(4).getDouble();
            r.cpu_sys_s = q.getColumn(5).getDouble();
            r.threads = q.getColumn(6).getInt();
            run.resources.push_back(r);
        }
    }
    return run;
}

std::vector<RunSummary> RunStore::Impl::list_runs(const RunFilter& f) const {
    SQLite::Transaction snapshot(*db);
    std::vector<RunSummary> out;
    {
        // One fixed statement: each filter is a parameter that is NULL when unused.
        SQLite::Statement q(
            *db,
            "SELECT r.id, r.uuid, r.started_at, r.workload, i.name, r.kernel, m.path, m.sha256, "
            "h.hostname, r.status, r.error, r.source, r.threads, "
            "EXISTS (SELECT 1 FROM baselines b WHERE b.run_id = r.id), "
            "r.impl_version, r.config_json, m.n_params "
            "FROM runs r "
            "LEFT JOIN implementations i ON i.id = r.implementation_id "
            "LEFT JOIN models m ON m.id = r.model_id "
            "LEFT JOIN hosts h ON h.id = r.host_id "
            "WHERE (?1 IS NULL OR r.workload = ?1) "
            "AND (?2 IS NULL OR i.name = ?2) "
            "AND (?3 IS NULL OR m.path = ?3) "
            "AND (?4 IS NULL OR h.hostname = ?4) "
            "AND (?5 IS NULL OR r.status = ?5) "
            "AND (?6 IS NULL OR r.id IN (SELECT value FROM json_each(?6))) "
            "AND (?7 IS NULL OR instr(lower(r.workload || ' ' || ifnull(i.name, '') || ' ' || "
            "ifnull(m.path, '')), lower(?7)) > 0) "
            "ORDER BY r.id DESC LIMIT ?8");
        auto bind_text = [&](int index, const std::optional<std::string>& v) {
            if (v)
                q.bind(index, *v);
            else
                q.bind(index);
        };
        bind_text(1, f.workload);
        bind_text(2, f.implementation);
        bind_text(3, f.model_path);
        bind_text(4, f.host);
        bind_text(5, f.status);
        if (f.ids.empty())
            q.bind(6);
        else
            q.bind(6, json_id_array(f.ids));
        bind_text(7, f.text);
        q.bind(8, f.last_n ? static_cast<int64_t>(std::max(0, *f.last_n)) : int64_t{-1});
        while (q.executeStep()) {
            RunSummary s;
            s.id = q.getColumn(0).getInt64();
            s.uuid = text(q.getColumn(1));
            s.started_at = text(q.getColumn(2));
            s.workload = text(q.getColumn(3));
            s.implementation = text(q.getColumn(4));
            s.kernel = text(q.getColumn(5));
            s.model_path = text(q.getColumn(6));
            s.model_sha256 = text(q.getColumn(7));
            s.host = text(q.getColumn(8));
            s.status = text(q.getColumn(9));
            s.error = text(q.getColumn(10));
            s.source = text(q.getColumn(11));
            s.threads = q.getColumn(12).getInt();
            s.pinned = q.getColumn(13).getInt() != 0;
            s.impl_version = text(q.getColumn(14));
            s.config_json = text(q.getColumn(15));
            s.model_n_params = q.getColumn(16).isNull() ? 0 : q.getColumn(16).getInt64();
            out.push_back(std::move(s));
        }
    }
    std::reverse(out.begin(), out.end());   // oldest first
    if (out.empty()) return out;

    // Metrics of every listed run in one query, not one per run.
    std::unordered_map<int64_t, size_t> index_of;
    std::vector<int64_t> ids;
    index_of.reserve(out.size());
    ids.reserve(out.size());
    for (size_t i = 0; i < out.size(); ++i) {
        index_of.emplace(out[i].id, i);
        ids.push_back(out[i].id);
    }
    SQLite::Statement q(*db,
                        "SELECT run_id, name, value, unit, n, note FROM metrics "
                        "WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY run_id, id");
    q.bind(1, json_id_array(ids));
    while (q.executeStep()) {
        const auto it = index_of.find(q.getColumn(0).getInt64());
        if (it != index_of.end()) out[it->second].metrics.push_back(read_metric(q, 1));
    }
    return out;
}

}  // namespace tbdb
