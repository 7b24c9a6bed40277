#pragma once
// The headless command line: subcommands, flags, exit codes (see README "CLI").
#include <optional>
#include <string>
#include <vector>

namespace bench::cli {

// Exit codes that mean something to scripts.
enum ExitCode : int {
    kOk = 0,
    kRunFailed = 1,      // the benchmark ran and failed (stored as a failed run)
    kUsage = 2,          // bad flags or arguments
    kInputError = 3,     // missing/corrupt model or input file
    kStoreError = 4,     // database locked, corrupt, read-only
    kCancelled = 130,    // Ctrl-C; what was measured is stored as `cancelled`
};

// What the window starts with: the top-level --db and --preset (empty when not given).
struct WindowStart {
    std::string db;
    std::string preset;
};
// The window's start options when `args` (argv without the program name) hold only top-level
// --db/--preset flags and a display exists; nullopt for a subcommand, --help, --version, any
// other argument, or no display (then run() handles the command line).
std::optional<WindowStart> window_start(const std::vector<std::string>& args, bool has_display);
// True when DISPLAY or WAYLAND_DISPLAY is set and not empty.
bool display_available();
int run(int argc, char** argv);

}  // namespace bench::cli
