#include "ui/app/app_context.h"

namespace tbui {

AppContext::AppContext(const QString& db_path, QObject* parent)
    : QObject(parent), db_path_(db_path), store_(std::make_unique<StoreWorker>(db_path.toStdString())),
      runs_(std::make_unique<RunController>()) {}

AppContext::~AppContext() {
    // The run thread and the store thread post to pages: stop them while the pages still exist.
    runs_.reset();
    store_.reset();
}

void AppContext::set_db_path(const QString& path) {
    if (path == db_path_) return;
    db_path_ = path;
    store_->set_path(path.toStdString());
    emit dbPathChanged(path);
    emit storeChanged();
}

}  // namespace tbui
