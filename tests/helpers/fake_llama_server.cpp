// Stands in for llama-server in the baseline tests: answers --help and --version like it, and
// serves the recorded responses of tests/fixtures/llama-server on --host/--port. FAKE_SERVER_MODE:
//   ok (default)   /health 200, streamed completions as recorded
//   crash          dies (SIGKILL to itself) in the middle of the second completion stream
//   ignore-term    ok, but ignores SIGTERM (the launcher must escalate to SIGKILL)
// FAKE_SERVER_PIDFILE: where to write its pid (for the tests' "no process left" checks).
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

#include "scripted_server.h"

namespace {
std::string fixture(const char* name) { return std::string(TB_FIXTURES_DIR) + "/llama-server/" + name; }
}  // namespace

int main(int argc, char** argv) {
    int port = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help") {
            std::cout << "-t,    --threads N\n-c,    --ctx-size N\n-np,   --parallel N\n"
                         "-ctk,  --cache-type-k TYPE\n--host HOST\n--port PORT\n--no-webui\n";
            return 0;
        }
        if (a == "--version") {
            std::cerr << "version: 4242 (fakefake)\nbuilt with a test\n";
            return 0;
        }
        if (a == "--port" && i + 1 < argc) port = std::atoi(argv[++i]);
    }
    const char* mode_env = std::getenv("FAKE_SERVER_MODE");
    const std::string mode = mode_env ? mode_env : "ok";
    if (const char* pidfile = std::getenv("FAKE_SERVER_PIDFILE")) std::ofstream(pidfile) << getpid() << "\n";
    if (mode == "ignore-term") signal(SIGTERM, SIG_IGN);
    else signal(SIGTERM, [](int) { _exit(0); });
    std::cerr << "fake llama-server listening on 127.0.0.1:" << port << std::endl;

    const auto stream = testsrv::load_recorded(fixture("completion-stream.http"));
    std::atomic<int> completions{0};
    testsrv::ScriptedServer srv(
        [&](const testsrv::Request& r, testsrv::Connection& c) {
            if (r.path == "/health") return testsrv::send_recorded(c, testsrv::load_recorded(fixture("health.http")));
            if (r.path == "/props") return testsrv::send_recorded(c, testsrv::load_recorded(fixture("props.http")));
            if (r.path == "/completion") {
                if (mode == "crash" && completions++ == 1) {
                    c.write(stream.head + testsrv::chunk(stream.body.substr(0, stream.body.find("\n\n") + 2)));
                    std::cerr << "GGML_ASSERT failed: fake crash" << std::endl;
                    kill(getpid(), SIGKILL);
                }
                return testsrv::send_recorded(c, stream);
            }
            testsrv::send_recorded(c, testsrv::load_recorded(fixture("not-found.http")));
        },
        port);
    for (;;) pause();
}
