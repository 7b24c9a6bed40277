// `ternbench`: with a subcommand it runs headless (app/cli); with none (only the top-level --db
// and --preset) it opens the window on that store when the UI is built and a display exists,
// else it runs the default headless benchmark.
#include <string>
#include <vector>

#include "app/cli/cli.h"

#ifdef TERNBENCH_HAVE_UI
#include "ui/app/window_main.h"
#endif

int main(int argc, char** argv) {
#ifdef TERNBENCH_HAVE_UI
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (auto start = bench::cli::window_start(args, bench::cli::display_available()))
        return tbui::run_window(argc, argv, start->db, start->preset);
#endif
    return bench::cli::run(argc, argv);
}
