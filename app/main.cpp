// `ternbench`: with a subcommand it runs headless (app/cli); with none it opens the window
// when the UI is built and a display exists, else it runs the default headless benchmark.
#include "app/cli/cli.h"

#ifdef TERNBENCH_HAVE_UI
#include "ui/app/window_main.h"
#endif

int main(int argc, char** argv) {
#ifdef TERNBENCH_HAVE_UI
    if (bench::cli::wants_window(argc, argv)) return tbui::run_window(argc, argv);
#endif
    return bench::cli::run(argc, argv);
}
