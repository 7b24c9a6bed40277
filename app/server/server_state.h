#pragma once
// What every connection of one Server shares. Fields without a lock are touched on the I/O
// thread only.
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "app/server/serve_options.h"
#include "app/server/server.h"
#include "app/server/server_info.h"
#include "engine/runtime/scheduler.h"

namespace bench::server {

class HttpSession;

struct ServerState {
    ServerState(boost::asio::io_context& i, std::shared_ptr<const tern::Model> m, ServeOptions o)
        : io(i), model(std::move(m)), opts(std::move(o)) {}

    boost::asio::io_context& io;
    std::shared_ptr<const tern::Model> model;
    ServeOptions opts;
    ServerInfo info;
    std::unique_ptr<tern::Scheduler> scheduler;
    ServeStats stats;
    int outstanding = 0;        // completion requests accepted and not yet answered
    bool shutting_down = false;
    uint64_t next_completion = 1;
    std::vector<std::weak_ptr<HttpSession>> sessions;  // live connections, for shutdown

    // Room for one more completion request (running + waiting < parallel + max_queue)?
    bool has_room() const { return outstanding < opts.parallel + opts.max_queue; }
};

}  // namespace bench::server
