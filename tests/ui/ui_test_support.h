#pragma once
// Shared helpers of the UI tests: isolated QSettings and synthetic stored runs.
#include <string>
#include <vector>

#include <QCoreApplication>
#include <QDateTime>
#include <QSettings>
#include <QStandardPaths>
#include <QString>

#include "app/metrics/metric_builder.h"
#include "db/run_record.h"
#include "db/run_store.h"

namespace tbtest {

// QSettings of the tests go to dir, never to the user's configuration.
inline void isolate_settings(const QString& dir) {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("ternbench-tests");
    QCoreApplication::setApplicationName("ternbench-ui-tests");
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir);
    QSettings().clear();
}

// A completed run with per-repetition tok/s samples and per-request e2e latencies; the
// summary metrics are derived from them with the core's MetricBuilder.
inline tbdb::RunRecord make_run(const std::string& workload, const std::string& implementation,
                                const QDateTime& started, const std::vector<double>& tok_s,
                                const std::vector<double>& e2e_ms, const std::string& host = "bench-host") {
    tbdb::RunRecord run;
    run.status = tbdb::RunStatus::Completed;
    run.workload = workload;
    run.implementation = implementation;
    run.kernel = implementation.find('/') != std::string::npos ? implementation.substr(implementation.find('/') + 1) : "";
    run.threads = 2;
    run.started_at = started.toUTC().toString(Qt::ISODate).toStdString();
    run.finished_at = started.addSecs(30).toUTC().toString(Qt::ISODate).toStdString();
    run.config_json = "{}";
    run.host.hostname = host;
    run.host.cpu_model = "Test CPU";
    run.host.physical_cores = 2;
    run.host.logical_cores = 2;
    run.model.path = "/models/demo-small.gguf";
    run.model.arch = "bitnet-b1.58";
    run.model.ternary_type = "i2_s";
    run.source = "run";
    run.samples.push_back({"tok_s", "tok/s", tok_s});
    for (size_t i = 0; i < e2e_ms.size(); ++i) {
        tbdb::RequestRecord r;
        r.index = static_cast<int>(i);
        r.prompt_tokens = 8;
        r.output_tokens = 16;
        r.submit_ms = static_cast<double>(i) * 100.0;
        r.ttft_ms = e2e_ms[i] * 0.1;
        r.e2e_ms = e2e_ms[i];
        r.stop_reason = "length";
        run.requests.push_back(r);
    }
    bench::metrics::MetricBuilder mb(run.metrics);
    mb.add_summary("output_tok_s", tok_s, "tok/s");
    mb.add_percentiles("e2e_ms", e2e_ms, {50, 90, 95}, "ms");
    return run;
}

// Values around `centre` with a small deterministic spread.
inline std::vector<double> around(double centre, int n, double spread = 0.02) {
    std::vector<double> v;
    for (int i = 0; i < n; ++i) v.push_back(centre * (1.0 + spread * ((i * 7 % 11) - 5) / 5.0));
    return v;
}

}  // namespace tbtest
