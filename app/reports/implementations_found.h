#pragma once
// Every implementation a store holds runs of, with the builds and programs behind them and how
// each was told apart (issue: ik_llama.cpp, bitnet.cpp and llama.cpp must never be confused), for
// the Baselines page. Qt-free so the window and any report read one list.
#include <string>
#include <vector>

#include "db/run_store.h"

namespace bench {

struct ImplementationFound {
    std::string implementation;         // "llama.cpp", "ik_llama.cpp", "ternbench/avx512" ...
    std::vector<std::string> builds;    // impl_version values seen, newest run's first
    std::vector<std::string> programs;  // programs run or files imported ("baseline:PATH", "import:FILE"), newest first
    std::string told_by;                // the newest run's implementation_detected_by, if any
    int runs = 0;
    std::string newest;                 // started_at of its newest run
    bool ours = false;                  // ternbench's own engine (kernel set recorded)
};

// One entry per implementation, ours first, then by name.
std::vector<ImplementationFound> implementations_found(const std::vector<tbdb::RunSummary>& runs);

}  // namespace bench
