#pragma once
// What is behind an endpoint before a run: ready (/health), its properties (/props), which
// completion API to use, which implementation and build it is; prompts tokenized by the server
// when no model file is at hand.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/http/endpoint.h"
#include "app/http/http_client.h"
#include "app/legacy/implementation_detect.h"

namespace bench::http {

struct EndpointInfo {
    Endpoint endpoint;
    ApiKind api = ApiKind::Completion;
    std::string api_reason;       // "--api completion", "autodetected: /props answered", ...
    std::string implementation;   // "llama.cpp", "bitnet.cpp", "ik_llama.cpp", "ternbench", ...
    std::string implementation_reason;   // how it was told (stored as implementation_detected_by)
    std::string build;            // /props build_info, else empty
    std::string model_ftype;      // /props model_ftype ("TQ2_0 - 2.06 bpw ternary"), else empty
    std::string server_header;    // the Server: header
    std::string model_path;       // as the server reports it (/props model_path)
    int total_slots = 0;          // /props total_slots (0 unknown)
    nlohmann::json props;         // null when /props is absent
};

// `api_choice`: "auto", "completion" or "v1". Throws std::runtime_error naming the problem when
// the server is not reachable or not ready, or a forced API is absent.
EndpointInfo probe_endpoint(const Endpoint& ep, const std::string& api_choice, const HttpLimits& limits);

// Implementation from what a server says about itself: `ternbench serve` by its Server header,
// anything else by the one legacy rule (app/legacy/implementation_detect.h) over its /props
// build_info and model_ftype, its `--version` text and the model type it runs. Never from the
// program's file name.
ImplementationGuess detect_server_implementation(const std::string& server_header, const std::string& build_info,
                                                 const std::string& model_ftype, const std::string& version_text,
                                                 const std::string& model_type = {});

// POST /tokenize (llama-server's API). Throws std::runtime_error when unavailable.
std::vector<int32_t> tokenize_remote(const Endpoint& ep, const std::string& text, bool add_special,
                                     const HttpLimits& limits);

}  // namespace bench::http
