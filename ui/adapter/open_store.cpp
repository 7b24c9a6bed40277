#include "ui/adapter/open_store.h"

#include <chrono>
#include <exception>
#include <thread>

namespace tbui {

tbdb::RunStore open_store_retrying(const std::string& path) {
    for (int attempt = 1;; ++attempt) {
        try {
            return tbdb::RunStore(path);
        } catch (const std::exception&) {
            if (attempt >= 5) throw;
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    }
}

}  // namespace tbui
