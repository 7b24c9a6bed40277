// Writing runs: the run row with its host/model/implementation, and its raw contents.
// Every function here runs inside a transaction opened by the caller.
#include <tuple>

#include "db/blob_codec.h"
#include "db/run_store_impl.h"
#include "db/timestamps.h"
#include "db/writer_identity.h"

namespace tbdb {

namespace {

void bind_optional(SQLite::Statement& s, int index, const std::optional<double>& v) {
    if (v)
        s.bind(index, *v);
    else
        s.bind(index);   // NULL: not measured
}

void bind_optional(SQLite::Statement& s, int index, const std::optional<int64_t>& v) {
    if (v)
        s.bind(index, static_cast<int64_t>(*v));
    else
        s.bind(index);
}

bool is_empty(const HostInfo& h) {
    return h.hostname.empty() && h.cpu_model.empty() && h.os.empty() && h.kernel.empty() &&
           h.physical_cores == 0 && h.logical_cores == 0 && h.cpu_flags.empty() &&
           h.mem_total_gb == 0;
}

bool is_empty(const ModelRecord& m) {
    return m.path.empty() && m.sha256.empty() && m.arch.empty() && m.ternary_type.empty() &&
           m.size_bytes == 0 && m.n_params == 0;
}

bool same(const HostInfo& a, const HostInfo& b) {
    return std::tie(a.hostname, a.cpu_model, a.os, a.kernel, a.physical_cores, a.logical_cores,
                    a.cpu_flags, a.mem_total_gb) ==
           std::tie(b.hostname, b.cpu_model, b.os, b.kernel, b.physical_cores, b.logical_cores,
                    b.cpu_flags, b.mem_total_gb);
}

bool same(const ModelRecord& a, const ModelRecord& b) {
    return std::tie(a.path, a.sha256, a.arch, a.ternary_type, a.size_bytes, a.n_params) ==
           std::tie(b.path, b.sha256, b.arch, b.ternary_type, b.size_bytes, b.n_params);
}

}  // namespace

template <typename Bind>
int64_t RunStore::Impl::find_or_insert(const char* find_sql, const char* add_sql, Bind bind) {
    SQLite::Statement& find = statement(find_sql);
    bind(find);
    if (find.executeStep()) {
        const int64_t id = find.getColumn(0).getInt64();
        find.reset();
        return id;
    }
    find.reset();
    SQLite::Statement& add = statement(add_sql);
    bind(add);
    add.exec();
    return db->getLastInsertRowid();
}

std::optional<int64_t> RunStore::Impl::host_id(const HostInfo& h) {
    if (is_empty(h)) return std::nullopt;
    if (memo.host && same(memo.host->first, h)) return memo.host->second;
    const int64_t id = find_or_insert(
        "SELECT id FROM hosts WHERE hostname = ? AND cpu_model = ? AND os = ? AND kernel = ? "
        "AND physical_cores = ? AND logical_cores = ? AND cpu_flags = ? AND mem_total_gb = ?",
        "INSERT INTO hosts (hostname, cpu_model, os, kernel, physical_cores, logical_cores, "
        "cpu_flags, mem_total_gb) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [&](SQLite::Statement& s) {
            s.bind(1, h.hostname);
            s.bind(2, h.cpu_model);
            s.bind(3, h.os);
            s.bind(4, h.kernel);
            s.bind(5, h.physical_cores);
            s.bind(6, h.logical_cores);
            s.bind(7, h.cpu_flags);
            s.bind(8, h.mem_total_gb);
        });
    memo.host.emplace(h, id);
    return id;
}

std::optional<int64_t> RunStore::Impl::model_id(const ModelRecord& m) {
    if (is_empty(m)) return std::nullopt;
    if (memo.model && same(memo.model->first, m)) return memo.model->second;
    const int64_t id = find_or_insert(
        "SELECT id FROM models WHERE path = ? AND sha256 = ? AND size_bytes = ? AND arch = ? "
        "AND ternary_type = ? AND n_params = ?",
        "INSERT INTO models (path, sha256, size_bytes, arch, ternary_type, n_params) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [&](SQLite::Statement& s) {
            s.bind(1, m.path);
            s.bind(2, m.sha256);
            s.bind(3, static_cast<int64_t>(m.size_bytes));
            s.bind(4, m.arch);
            s.bind(5, m.ternary_type);
            s.bind(6, static_cast<int64_t>(m.n_params));
        });
    memo.model.emplace(m, id);
    return id;
}

std::optional<int64_t> RunStore::Impl::implementation_id(const std::string& name) {
    if (name.empty()) return std::nullopt;
    if (memo.implementation && memo.implementation->first == name)
        return memo.implementation->second;
    SQLite::Statement& add =
        statement("INSERT INTO implementations (name) VALUES (?) ON CONFLICT (name) DO NOTHING");
    add.bind(1, name);
    add.exec();
    SQLite::Statement& find = statement("SELECT id FROM implementations WHERE name = ?");
    find.bind(1, name);
    find.executeStep();
    const int64_t id = find.getColumn(0).getInt64();
    find.reset();
    memo.implementation.emplace(name, id);
    return id;
}

int64_t RunStore::Impl::insert_run_row(RunRecord& run) {
    if (run.uuid.empty()) run.uuid = new_uuid();
    if (run.started_at.empty()) run.started_at = utc_timestamp_now();
    const auto host = host_id(run.host);
    const auto model = model_id(run.model);
    const auto impl = implementation_id(run.implementation);
    SQLite::Statement& s = statement(
        "INSERT INTO runs (uuid, started_at, finished_at, status, workload, implementation_id, "
        "kernel, impl_version, threads, config_json, host_id, model_id, error, source, "
        "writer_pid, writer_start, writer_boot, writer_host) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    s.bind(1, run.uuid);
    s.bind(2, run.started_at);
    s.bind(3, run.finished_at);
    s.bind(4, status_name(run.status));
    s.bind(5, run.workload);
    bind_optional(s, 6, impl);
    s.bind(7, run.kernel);
    s.bind(8, run.impl_version);
    s.bind(9, run.threads);
    s.bind(10, run.config_json);
    bind_optional(s, 11, host);
    bind_optional(s, 12, model);
    s.bind(13, run.error);
    s.bind(14, run.source);
    if (run.status == RunStatus::Running) {
        // Recorded so that other processes opening the store leave this live run alone.
        const WriterIdentity me = current_writer();
        s.bind(15, static_cast<int64_t>(me.pid));
        s.bind(16, static_cast<int64_t>(me.start_ticks));
        s.bind(17, me.boot_id);
        s.bind(18, me.host);
    } else {
        for (int i = 15; i <= 18; ++i) s.bind(i);
    }
    s.exec();
    run.id = db->getLastInsertRowid();
    return run.id;
}

void RunStore::Impl::update_run_row(const RunRecord& run) {
    const auto host = host_id(run.host);
    const auto model = model_id(run.model);
    const auto impl = implementation_id(run.implementation);
    SQLite::Statement& s = statement(
        "UPDATE runs SET finished_at = ?, status = ?, workload = ?, implementation_id = ?, "
        "kernel = ?, impl_version = ?, threads = ?, config_json = ?, host_id = ?, model_id = ?, "
        "error = ?, source = ? WHERE id = ?");
    s.bind(1, run.finished_at.empty() ? utc_timestamp_now() : run.finished_at);
    s.bind(2, status_name(run.status));
    s.bind(3, run.workload);
    bind_optional(s, 4, impl);
    s.bind(5, run.kernel);
    s.bind(6, run.impl_version);
    s.bind(7, run.threads);
    s.bind(8, run.config_json);
    bind_optional(s, 9, host);
    bind_optional(s, 10, model);
    s.bind(11, run.error);
    s.bind(12, run.source);
    s.bind(13, static_cast<int64_t>(run.id));
    if (s.exec() == 0) throw StoreError("run " + std::to_string(run.id) + " does not exist");
}

void RunStore::Impl::delete_run_contents(int64_t run_id) {
    for (const char* sql : {"DELETE FROM metrics WHERE run_id = ?",
                            "DELETE FROM sample_series WHERE run_id = ?",
                            "DELETE FROM requests WHERE run_id = ?",
                            "DELETE FROM resource_samples WHERE run_id = ?"}) {
        SQLite::Statement& s = statement(sql);
        s.bind(1, static_cast<int64_t>(run_id));
        s.exec();
    }
}

void RunStore::Impl::write_run_contents(int64_t run_id, const RunRecord& run) {
    const auto id = static_cast<int64_t>(run_id);
    SQLite::Statement& metric = statement(
        "INSERT INTO metrics (run_id, name, value, unit, n, note) VALUES (?, ?, ?, ?, ?, ?)");
    for (const Metric& m : run.metrics) {
        metric.reset();
        metric.bind(1, id);
        metric.bind(2, m.name);
        bind_optional(metric, 3, m.value);
        metric.bind(4, m.unit);
        metric.bind(5, static_cast<int64_t>(m.n));
        metric.bind(6, m.note);
        metric.exec();
    }
    SQLite::Statement& series = statement(
        "INSERT INTO sample_series (run_id, name, unit, n, sample_values) VALUES (?, ?, ?, ?, ?)");
    for (const SampleSeries& s : run.samples) {
        const std::string blob = blob::pack_f64(s.values);
        series.reset();
        series.bind(1, id);
        series.bind(2, s.name);
        series.bind(3, s.unit);
        series.bind(4, static_cast<int64_t>(s.values.size()));
        series.bindNoCopy(5, blob.data(), static_cast<int>(blob.size()));
        series.exec();
    }
    SQLite::Statement& request = statement(
        "INSERT INTO requests (run_id, idx, repetition, prompt_tokens, output_tokens, submit_ms, "
        "ttft_ms, e2e_ms, token_times, stop_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const RequestRecord& r : run.requests) {
        const std::string blob = blob::pack_f32(r.token_times_ms);
        request.reset();
        request.bind(1, id);
        request.bind(2, r.index);
        request.bind(3, r.repetition);
        request.bind(4, r.prompt_tokens);
        request.bind(5, r.output_tokens);
        request.bind(6, r.submit_ms);
        bind_optional(request, 7, r.ttft_ms);
        bind_optional(request, 8, r.e2e_ms);
        request.bindNoCopy(9, blob.data(), static_cast<int>(blob.size()));
        request.bind(10, r.stop_reason);
        request.exec();
    }
    SQLite::Statement& resource = statement(
        "INSERT INTO resource_samples (run_id, t_ms, rss_anon_mb, rss_file_mb, vm_hwm_mb, "
        "cpu_user_s, cpu_sys_s, threads) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    for (const ResourceSample& r : run.resources) {
        resource.reset();
        resource.bind(1, id);
        resource.bind(2, r.t_ms);
        resource.bind(3, r.rss_anon_mb);
        resource.bind(4, r.rss_file_mb);
        resource.bind(5, r.vm_hwm_mb);
        resource.bind(6, r.cpu_user_s);
        resource.bind(7, r.cpu_sys_s);
        resource.bind(8, r.threads);
        resource.exec();
    }
}

}  // namespace tbdb
