#pragma once
// The headless command line: subcommands, flags, exit codes (see README "CLI").
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

// True when no subcommand is given and a display is available (the window should open).
bool wants_window(int argc, char** argv);
int run(int argc, char** argv);

}  // namespace bench::cli
