// `ternbench serve`: load the model, listen, serve until SIGINT/SIGTERM.
#include <csignal>
#include <filesystem>
#include <iostream>

#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "app/server/server.h"
#include "engine/demo/demo_model.h"
#include "engine/model/model.h"

namespace bench::cli {

int cmd_serve(const ServeArgs& a) {
    std::string path = a.model;
    if (path.empty()) {
        try {
            tern::DemoSpec demo;
            demo.preset = a.preset;
            demo.type = a.type;
            demo.arch = a.arch;
            path = tern::ensure_demo_model(demo);
        } catch (const std::exception& e) {
            std::cerr << "ternbench serve: demo model: " << e.what() << "\n";
            return kUsage;
        }
    }
    if (!std::filesystem::exists(path)) {
        std::cerr << "ternbench serve: model file not found: " << path << "\n";
        return kInputError;
    }
    std::shared_ptr<const tern::Model> model;
    try {
        tern::LoadOptions lo;
        lo.kernel = a.kernel;
        model = tern::Model::load(path, lo);
    } catch (const std::exception& e) {
        std::cerr << "ternbench serve: cannot load " << path << ": " << e.what() << "\n";
        return kInputError;
    }
    server::ServeOptions o = a.options;
    o.model_path = path;
    std::unique_ptr<server::Server> srv;
    try {
        srv = std::make_unique<server::Server>(model, o);
    } catch (const std::exception& e) {
        std::cerr << "ternbench serve: " << e.what() << "\n";
        return kRunFailed;
    }
    srv->stop_on_signals();
    const std::string host = srv->host();
    const bool v6 = host.find(':') != std::string::npos;
    // One parseable line on stdout once requests can be served (tools started with --port 0
    // read the port from it).
    std::cout << "ternbench serve: listening on http://" << (v6 ? "[" + host + "]" : host) << ":" << srv->port()
              << std::endl;
    std::cerr << "ternbench serve: " << path << ", " << o.parallel << " parallel, context "
              << "per sequence " << (o.n_ctx > 0 ? std::to_string(o.n_ctx) : "default") << ", kernels "
              << model->kernels().name << "\n";
    const int sig = srv->run();
    const auto& st = srv->stats();
    std::cerr << "ternbench serve: stopped (" << st.requests << " requests, " << st.completions << " completions, "
              << st.cancelled << " cancelled, " << st.rejected_busy << " refused busy)\n";
    srv.reset();
    return sig == SIGINT ? kCancelled : kOk;
}

}  // namespace bench::cli
