#include <string>

#include "app/cli/commands.h"
#include "build_info.h"
#include "engine/kernels/amx.h"
#include "engine/kernels/kernel_set.h"

namespace bench::cli {

std::string version_text() {
    const auto& f = tern::cpu_features();
    std::string kernels;
    for (const auto* k : tern::available_kernels()) kernels += (kernels.empty() ? "" : ", ") + std::string(k->name);
    std::string s = std::string("ternbench ") + TERNBENCH_VERSION + "\n" +
                    "commit:       " + TERNBENCH_GIT_COMMIT + "\n" +
                    "compiler:     " + TERNBENCH_COMPILER + "\n" +
                    "build type:   " + TERNBENCH_BUILD_TYPE +
                    (std::string(TERNBENCH_SANITIZE).empty() ? "" : std::string(" (sanitize: ") + TERNBENCH_SANITIZE + ")") + "\n" +
                    "cpu:          " + f.brand + "\n" +
                    "cpu features: " + tern::cpu_features_string(f) + "\n" +
                    "amx:          " + tern::amx_status() + "\n" +
                    "kernels:      " + kernels + "\n";
    try {
        s += std::string("auto kernel:  ") + tern::select_kernels("auto").name;
    } catch (const std::exception& e) {
        s += std::string("auto kernel:  none (") + e.what() + ")";
    }
    return s;
}

}  // namespace bench::cli
