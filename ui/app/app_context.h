#pragma once
// What the pages share: the store worker (reads and small writes off the GUI thread), the run
// controller, and a few signals that keep the pages in step (runs changed, errors, status).
#include <memory>

#include <QList>
#include <QObject>
#include <QString>

#include "ui/adapter/run_controller.h"
#include "ui/adapter/store_worker.h"

namespace tbui {

class AppContext : public QObject {
    Q_OBJECT
public:
    explicit AppContext(const QString& db_path, QObject* parent = nullptr);
    ~AppContext() override;

    StoreWorker& store() { return *store_; }
    RunController& runs() { return *runs_; }
    QString db_path() const { return db_path_; }
    void set_db_path(const QString& path);

signals:
    void storeChanged();                         // runs or pins added/removed: reload
    void dbPathChanged(const QString& path);
    void errorRaised(const QString& message);    // shown in the banner and the status bar
    void statusMessage(const QString& message);
    void compareRequested(const QList<qint64>& run_ids);
    void runSelected(qint64 run_id);             // e.g. show it in History

private:
    QString db_path_;
    std::unique_ptr<StoreWorker> store_;
    std::unique_ptr<RunController> runs_;
};

}  // namespace tbui
