#pragma once
// Where an HTTP inference server listens, and which completion API it speaks.
#include <string>

namespace bench::http {

// llama-server's native `/completion`, or the OpenAI-style `/v1/completions`.
enum class ApiKind { Completion, OpenAiV1 };
const char* api_kind_name(ApiKind k);  // "completion", "v1"

struct Endpoint {
    std::string host;       // name or address, as given
    std::string port = "80";
    std::string base_path;  // prefix before /completion etc. ("" or "/api")

    // "http://HOST:PORT[/prefix]"
    std::string url() const;
    std::string target(const std::string& path) const { return base_path + path; }
};

// Parses "http://HOST[:PORT][/prefix]" (plain HTTP only). Throws std::invalid_argument naming
// what is wrong (https, no host, bad port, ...).
Endpoint parse_endpoint(const std::string& url);

// The API key for Authorization: Bearer, read from the environment each time (never stored):
// TERNBENCH_API_KEY. Empty when unset.
std::string api_key_from_env();
inline constexpr const char* kApiKeyEnv = "TERNBENCH_API_KEY";

}  // namespace bench::http
