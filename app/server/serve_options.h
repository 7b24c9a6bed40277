#pragma once
// What `ternbench serve` is told: where to listen, how much to run at once, what to refuse.
#include <cstddef>
#include <cstdint>
#include <string>

namespace bench::server {

struct ServeOptions {
    std::string host = "127.0.0.1";  // loopback unless the user says otherwise
    uint16_t port = 8080;            // 0 = any free port (the bound one is reported)
    int threads = 0;                 // compute threads; 0 = physical cores
    int parallel = 1;                // sequences decoded together (llama-server's -np)
    int64_t n_ctx = 0;               // context per sequence; 0 = engine default
    bool kv_f16 = true;              // F16 KV caches, as `run` defaults to
    int max_queue = 16;              // requests waiting beyond the `parallel` running ones (503 past it)
    size_t max_body_bytes = 1 << 20; // larger request bodies get 413
    std::string model_path;          // shown by /props and /v1/models
};

}  // namespace bench::server
