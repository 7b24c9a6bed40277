#pragma once
// What the informational endpoints (/props, /v1/models) and the response bodies report about
// the running server; fixed once the model is loaded.
#include <cstdint>
#include <string>

namespace bench::server {

struct ServerInfo {
    std::string model_alias;  // file name
    std::string model_path;
    std::string build_info;   // "ternbench-<version>-<commit>"
    std::string ftype;        // ternary type of the linear weights
    std::string bos_token, eos_token;
    int total_slots = 1;
    int64_t n_ctx = 0;        // per sequence
    int64_t n_ctx_train = 0, n_embd = 0, n_vocab = 0, n_params = 0;
    uint64_t size_bytes = 0;
    int64_t created = 0;      // unix time the server started
};

}  // namespace bench::server
