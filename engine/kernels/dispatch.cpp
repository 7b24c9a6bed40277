#include <cstdlib>
#include <string>

#include "engine/kernels/kernel_set.h"
#include "engine/runtime/error.h"

namespace tern {

namespace {

// A compiled-in set is usable only when the CPU (and OS) support every extension it uses.
bool usable(const KernelSet* k, const CpuFeatures& f) {
    if (!k) return false;
    const std::string_view name = k->name;
    if (name == "avx2") return f.avx2 && f.fma && f.f16c;
    if (name == "avx512") return f.avx512f && f.avx512bw && f.avx512vl && f.fma && f.f16c;
    return true;
}

}  // namespace

std::vector<const KernelSet*> available_kernels() {
    std::vector<const KernelSet*> out;
    const CpuFeatures& f = cpu_features();
    for (const KernelSet* k : {avx512_kernels(), avx2_kernels()})
        if (usable(k, f)) out.push_back(k);
    out.push_back(scalar_kernels());
    return out;
}

// "auto" takes TERNBENCH_KERNEL from the environment when set (so a whole process can be
// pinned to one set), else the best available set.
const KernelSet& select_kernels(std::string_view name) {
    const auto avail = available_kernels();
    if (name.empty() || name == "auto") {
        const char* env = std::getenv("TERNBENCH_KERNEL");
        if (env && *env && std::string_view(env) != "auto") return select_kernels(env);
        return *avail.front();
    }
    for (const KernelSet* k : avail)
        if (name == k->name) return *k;
    std::string choices = "auto";
    for (const KernelSet* k : avail) choices += std::string(", ") + k->name;
    std::string why;
    if (name == "avx2" || name == "avx512")
        why = " (not supported by this CPU or not compiled in; CPU has: " +
              cpu_features_string(cpu_features()) + ")";
    throw Error("unknown or unavailable kernel '" + std::string(name) + "'" + why +
                "; choose one of: " + choices);
}

}  // namespace tern
