#pragma once
#include <string>

namespace tbui {
// Creates the QApplication and the main window on `db_path` (empty: the configured store) with
// the Run page's demo preset set to `preset` (empty: as last used); returns the event loop's
// exit code.
int run_window(int argc, char** argv, const std::string& db_path = {}, const std::string& preset = {});
}
