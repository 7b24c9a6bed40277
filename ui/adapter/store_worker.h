#pragma once
// One background thread that owns the window's reading/writing connection to the run store.
// Pages hand it a piece of work; the result comes back to the GUI thread by a queued call,
// so the GUI thread never waits on SQLite. Results are tagged by the caller (generation ids)
// when newer requests make older answers stale.
//
// Lifetime: destroy the worker before the QObjects passed as context (MainWindow holds it as
// a member, its pages are children and so outlive it). Unstarted work is dropped on destruction.
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>

#include <QMetaObject>
#include <QObject>
#include <QString>

#include "db/run_store.h"

namespace tbui {

class StoreWorker {
public:
    explicit StoreWorker(std::string db_path);
    ~StoreWorker();
    StoreWorker(const StoreWorker&) = delete;
    StoreWorker& operator=(const StoreWorker&) = delete;

    // Later work uses this database (the connection is reopened on the worker thread).
    void set_path(std::string db_path);
    std::string path() const;

    // Runs work(store) on the worker thread and delivers its result to done(result) on
    // context's thread, or the error text (store could not open, query threw) to failed(text).
    template <class Work, class Done, class Failed>
    void query(QObject* context, Work work, Done done, Failed failed) {
        using Result = std::invoke_result_t<Work, tbdb::RunStore&>;
        post(
            [context, work = std::move(work), done = std::move(done)](tbdb::RunStore& store) mutable {
                auto result = std::make_shared<Result>(work(store));
                QMetaObject::invokeMethod(
                    context, [done, result]() mutable { done(std::move(*result)); }, Qt::QueuedConnection);
            },
            [context, failed = std::move(failed)](const std::string& error) {
                const QString text = QString::fromStdString(error);
                QMetaObject::invokeMethod(context, [failed, text] { failed(text); }, Qt::QueuedConnection);
            });
    }

    // Blocks the caller until every task posted so far has run (tests and shutdown only).
    void drain();

private:
    using Task = std::function<void(tbdb::RunStore&)>;
    using ErrorHandler = std::function<void(const std::string&)>;
    void post(Task task, ErrorHandler on_error);
    void loop();

    mutable std::mutex mutex_;
    std::condition_variable wake_, idle_;
    std::deque<std::pair<Task, ErrorHandler>> queue_;
    std::string path_;
    bool path_changed_ = true;
    bool busy_ = false;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace tbui
