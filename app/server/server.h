#pragma once
// `ternbench serve`: the engine behind llama-server's HTTP API (/health, /props, /tokenize,
// /detokenize, /completion, /v1/completions, /v1/models) on the continuous-batching Scheduler.
// One I/O thread (the caller of run()) serves every connection; generation runs on the
// Scheduler's threads and reaches the connections as posted events.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "app/server/serve_options.h"

namespace tern { class Model; }

namespace bench::server {

// Counters for tests and the shutdown summary (updated on the I/O thread, readable anywhere).
struct ServeStats {
    std::atomic<uint64_t> requests{0};       // HTTP requests parsed
    std::atomic<uint64_t> completions{0};    // completion requests that finished generating
    std::atomic<uint64_t> cancelled{0};      // of which cancelled (client gone or shutdown)
    std::atomic<uint64_t> rejected_busy{0};  // 503: queue full or shutting down
    std::atomic<uint64_t> client_errors{0};  // 4xx answers
    std::atomic<uint64_t> disconnects{0};    // clients gone while their request was running
};

class Server {
public:
    // Binds opts.host:opts.port at once; throws std::runtime_error naming the address when it
    // cannot (port in use, bad host).
    Server(std::shared_ptr<const tern::Model> model, ServeOptions opts);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    std::string host() const;
    uint16_t port() const;  // the bound port (useful with port 0)

    // SIGINT / SIGTERM stop the server (call before run()).
    void stop_on_signals();
    // Serves until stop() or a signal: stops accepting, cancels running requests, ends their
    // responses, closes every connection, then returns. Returns the signal number, or 0.
    int run();
    void stop();  // thread-safe, idempotent

    const ServeStats& stats() const;
    size_t in_flight() const;  // requests queued or generating

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace bench::server
