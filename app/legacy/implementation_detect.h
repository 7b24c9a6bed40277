#pragma once
// Which program made a legacy result: upstream llama.cpp, bitnet.cpp (Microsoft's llama.cpp
// fork), ik_llama.cpp (ikawrakow's fork with IQ1_BN/IQ2_BN and run-time repacking), or a fork
// we do not know. One function for every legacy source: llama-bench lines (runs and imports),
// llama-server's /props and `--version` text (latency baselines). Decided from what the program
// itself reports (its field set, the model types only one fork runs, its version text and build),
// never from the file name; an unknown fork gets a name made of what it reports and is never
// filed under another implementation.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bench {

// What a legacy program said about itself and the run. Any part may be empty.
struct ProgramReport {
    nlohmann::json fields = nlohmann::json::object();   // a llama-bench test line, or /props
    std::string version_text;                           // `PROGRAM --version` output
    std::string model_type;                             // "bitnet ?B I2_S - 2 bpw ternary", or a file name
    std::string build_commit;                           // "3f545becc"
};

struct ImplementationGuess {
    std::string name;     // "llama.cpp", "bitnet.cpp", "ik_llama.cpp", or a derived name
    std::string reason;   // stored with the run ("implementation_detected_by")
    bool known = true;    // false: no known implementation matched
    // Unknown only: the marker fields of each known implementation that the report lacked, and
    // the fields no known implementation reports (they name the fork).
    std::vector<std::string> missing_markers, unknown_fields;
};

ImplementationGuess detect_implementation(const ProgramReport& report);

// The fields of a llama-bench line that change the speed of a test, for the configuration key:
// the KV types, batch sizes and flash attention of every llama-bench, plus a fork's own switches
// (ik_llama.cpp: repack, use_thp, mla_attn, fused_moe, rcache, ser, ...).
const std::vector<std::string>& speed_fields(const std::string& implementation);

}  // namespace bench
