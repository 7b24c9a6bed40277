#include "ui/app/app_settings.h"

#include <QSettings>

#include "db/run_store.h"

namespace tbui {

namespace {
QVariant value(const char* key, const QVariant& fallback = {}) { return QSettings().value(key, fallback); }
void set(const char* key, const QVariant& v) { QSettings().setValue(key, v); }
}  // namespace

QString AppSettings::db_path() {
    const QString p = value("storage/db_path").toString();
    if (!p.isEmpty()) return p;
    return QString::fromStdString(tbdb::RunStore::default_path());
}
void AppSettings::set_db_path(const QString& path) { set("storage/db_path", path); }

int AppSettings::default_threads() { return value("run/default_threads", 0).toInt(); }
void AppSettings::set_default_threads(int n) { set("run/default_threads", n); }
int AppSettings::sampler_interval_ms() { return value("run/sampler_interval_ms", 50).toInt(); }
void AppSettings::set_sampler_interval_ms(int ms) { set("run/sampler_interval_ms", ms); }

QStringList AppSettings::recent_models() { return value("run/recent_models").toStringList(); }
void AppSettings::add_recent_model(const QString& path) {
    QStringList list = recent_models();
    list.removeAll(path);
    list.prepend(path);
    while (list.size() > kMaxRecent) list.removeLast();
    set("run/recent_models", list);
}

QStringList AppSettings::llama_bench_paths() { return value("baselines/llama_bench_paths").toStringList(); }
void AppSettings::set_llama_bench_paths(const QStringList& paths) { set("baselines/llama_bench_paths", paths); }
QStringList AppSettings::llama_server_paths() { return value("baselines/llama_server_paths").toStringList(); }
void AppSettings::set_llama_server_paths(const QStringList& paths) { set("baselines/llama_server_paths", paths); }

QByteArray AppSettings::last_spec_json() { return value("run/last_spec").toByteArray(); }
void AppSettings::set_last_spec_json(const QByteArray& json) { set("run/last_spec", json); }
QStringList AppSettings::last_workloads() { return value("run/last_workloads").toStringList(); }
void AppSettings::set_last_workloads(const QStringList& names) { set("run/last_workloads", names); }

QByteArray AppSettings::window_geometry() { return value("window/geometry").toByteArray(); }
QByteArray AppSettings::window_state() { return value("window/state").toByteArray(); }
void AppSettings::set_window_geometry_and_state(const QByteArray& geometry, const QByteArray& state) {
    set("window/geometry", geometry);
    set("window/state", state);
}
int AppSettings::last_page() { return value("window/page", 0).toInt(); }
void AppSettings::set_last_page(int index) { set("window/page", index); }

}  // namespace tbui
