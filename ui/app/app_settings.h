#pragma once
// Everything the window remembers between starts, in one place (QSettings keys live here only).
#include <QByteArray>
#include <QString>
#include <QStringList>

namespace tbui {

class AppSettings {
public:
    // The database the window reads and writes: the setting, else the store's default path.
    static QString db_path();
    static void set_db_path(const QString& path);

    static int default_threads();            // 0: physical cores
    static void set_default_threads(int n);
    static int sampler_interval_ms();
    static void set_sampler_interval_ms(int ms);

    static QStringList recent_models();       // newest first, at most kMaxRecent
    static void add_recent_model(const QString& path);
    static constexpr int kMaxRecent = 8;

    static QStringList llama_bench_paths();   // configured external baseline programs
    static void set_llama_bench_paths(const QStringList& paths);
    static QStringList llama_server_paths();  // llama-server programs for latency baselines
    static void set_llama_server_paths(const QStringList& paths);

    // The Run page's last parameters (BenchmarkSpec JSON) and chosen workloads.
    static QByteArray last_spec_json();
    static void set_last_spec_json(const QByteArray& json);
    static QStringList last_workloads();
    static void set_last_workloads(const QStringList& names);

    static QByteArray window_geometry();
    static QByteArray window_state();
    static void set_window_geometry_and_state(const QByteArray& geometry, const QByteArray& state);
    static int last_page();
    static void set_last_page(int index);
};

}  // namespace tbui
