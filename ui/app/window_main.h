#pragma once
namespace tbui {
// Creates the QApplication and the main window; returns the exit code of the event loop.
int run_window(int argc, char** argv);
}
