#pragma once
// The configuration of a run: everything that decides its speed, kept in parts so that a
// difference between two runs can be named. Two runs measured the same experiment when they
// share the model, the test (workload and its sizes), the thread count and the settings that
// change speed; they are the same configuration when, besides, the implementation and its own
// speed switches (a fork's flags, extra program arguments) are the same. One rule for every
// report, `compare`, the Compare page and History (pairing.h decides with it).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "db/run_record.h"
#include "db/run_store.h"

namespace bench {

using Setting = std::pair<std::string, std::string>;   // ("kv", "f16")

struct RunConfig {
    // The model: sha256 when the run computed it, else the file name and parameter count.
    std::string model_sha256, model_file;
    int64_t model_params = 0;
    // The test: "pp512", "tg128", "pp512+tg128 @ d1024", "single 100 tok, 5 prompts #1a2b",
    // "batch c4 50 tok, ...", "server 2 req/s 10 s c4 ...".
    std::string test;
    std::string workload;
    int threads = 0;
    // Settings that change speed for every implementation (KV type, context, sampler); a value
    // the run did not record is absent, never assumed.
    std::vector<Setting> settings;
    // The implementation and its own speed switches ("repack=1", "args=-rtr 1").
    std::string implementation;
    std::vector<Setting> switches;

    // "sha256:<first 16 hex>" or "file:<name>/<params>p".
    std::string model_key() const;
    // Model | test | threads | settings: implementation-neutral, what a ratio needs to share.
    std::string experiment_key() const;
    // experiment_key | implementation | switches: one configuration (History series, CSV/JSON).
    std::string key() const;
    // "1b3-tq2_0.gguf, tg128, 2 threads, kv f16": for selectors and report headings.
    std::string describe() const;
};

RunConfig run_config(const tbdb::RunRecord& run);
RunConfig run_config(const tbdb::RunSummary& run);

}  // namespace bench
