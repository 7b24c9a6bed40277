#include "ui/adapter/store_worker.h"

#include <exception>
#include <optional>

namespace tbui {

StoreWorker::StoreWorker(std::string db_path) : path_(std::move(db_path)) {
    thread_ = std::thread([this] { loop(); });
}

StoreWorker::~StoreWorker() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
        queue_.clear();
    }
    wake_.notify_all();
    thread_.join();
}

void StoreWorker::set_path(std::string db_path) {
    std::lock_guard lock(mutex_);
    if (db_path == path_) return;
    path_ = std::move(db_path);
    path_changed_ = true;
}

std::string StoreWorker::path() const {
    std::lock_guard lock(mutex_);
    return path_;
}

void StoreWorker::post(Task task, ErrorHandler on_error) {
    {
        std::lock_guard lock(mutex_);
        queue_.emplace_back(std::move(task), std::move(on_error));
    }
    wake_.notify_one();
}

void StoreWorker::drain() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return (queue_.empty() && !busy_) || stop_; });
}

void StoreWorker::loop() {
    std::optional<tbdb::RunStore> store;
    for (;;) {
        std::pair<Task, ErrorHandler> item;
        std::string path;
        bool reopen = false;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stop_ || !queue_.empty(); });
            if (stop_) break;
            item = std::move(queue_.front());
            queue_.pop_front();
            busy_ = true;
            reopen = path_changed_;
            path_changed_ = false;
            path = path_;
        }
        try {
            if (reopen || !store) {
                store.reset();
                store.emplace(path);
            }
            item.first(*store);
        } catch (const std::exception& e) {
            if (!store) {
                std::lock_guard lock(mutex_);
                path_changed_ = true;   // try to open again for the next task
            }
            item.second(e.what());
        } catch (...) {
            item.second("unknown error in the store worker");
        }
        {
            std::lock_guard lock(mutex_);
            busy_ = false;
        }
        idle_.notify_all();
    }
    idle_.notify_all();
}

}  // namespace tbui
