#include "app/http/endpoint.h"

#include <cstdlib>
#include <stdexcept>

namespace bench::http {

const char* api_kind_name(ApiKind k) { return k == ApiKind::Completion ? "completion" : "v1"; }

std::string Endpoint::url() const { return "http://" + host + ":" + port + base_path; }

Endpoint parse_endpoint(const std::string& url) {
    const std::string scheme = "http://";
    if (url.rfind("https://", 0) == 0)
        throw std::invalid_argument("endpoint " + url + ": https is not supported (use plain http, e.g. through a local tunnel)");
    if (url.rfind(scheme, 0) != 0)
        throw std::invalid_argument("endpoint " + url + ": expected http://HOST:PORT");
    std::string rest = url.substr(scheme.size());
    Endpoint e;
    const size_t slash = rest.find('/');
    if (slash != std::string::npos) {
        e.base_path = rest.substr(slash);
        rest = rest.substr(0, slash);
        while (!e.base_path.empty() && e.base_path.back() == '/') e.base_path.pop_back();
    }
    if (rest.empty()) throw std::invalid_argument("endpoint " + url + ": no host");
    size_t colon = rest.rfind(':');
    if (!rest.empty() && rest.front() == '[') {  // [IPv6]:port
        const size_t close = rest.find(']');
        if (close == std::string::npos) throw std::invalid_argument("endpoint " + url + ": unclosed [");
        e.host = rest.substr(1, close - 1);
        colon = rest.find(':', close);
    } else {
        e.host = rest.substr(0, colon);
    }
    if (colon != std::string::npos) {
        e.port = rest.substr(colon + 1);
        if (e.port.empty() || e.port.find_first_not_of("0123456789") != std::string::npos ||
            std::stol(e.port.substr(0, 6)) < 1 || std::stol(e.port.substr(0, 6)) > 65535)
            throw std::invalid_argument("endpoint " + url + ": bad port '" + e.port + "'");
    }
    if (e.host.empty()) throw std::invalid_argument("endpoint " + url + ": no host");
    return e;
}

std::string api_key_from_env() {
    const char* k = std::getenv(kApiKeyEnv);
    return k ? k : "";
}

}  // namespace bench::http
