#include <algorithm>
#include <cstdlib>
#include <string>

#include "engine/kernels/kernel_set.h"
#include "engine/base/error.h"

namespace tern {

namespace {

// A compiled-in set is usable only when the CPU (and OS) support every extension its source
// files are compiled with (the compiler may use any of them anywhere in those files).
bool usable(const KernelSet* k, const CpuFeatures& f) { return k && cpu_supports_isa(f, k->isa); }

}  // namespace

std::vector<const KernelSet*> available_kernels() {
    std::vector<const KernelSet*> out;
    const CpuFeatures& f = cpu_features();
    // Best first; of the two AVX-512 variants (one name) only the better usable one is listed.
    for (const KernelSet* k : {avx512_vnni_kernels(), avx512_kernels(), avx2_kernels()}) {
        const bool named_already = std::any_of(out.begin(), out.end(), [&](const KernelSet* o) {
            return k && std::string_view(o->name) == k->name;
        });
        if (usable(k, f) && !named_already) out.push_back(k);
    }
    out.push_back(scalar_kernels());
    return out;
}

std::vector<const KernelSet*> usable_kernel_variants() {
    std::vector<const KernelSet*> out;
    for (const KernelSet* k : {avx512_vnni_kernels(), avx512_kernels(), avx2_kernels()})
        if (usable(k, cpu_features())) out.push_back(k);
    out.push_back(scalar_kernels());
    return out;
}

std::vector<RoofProbe> roof_probes() {
    std::vector<RoofProbe> out;
    for (const KernelSet* k : usable_kernel_variants())
        for (int i = 0; i < k->n_probes; ++i) {
            const RoofProbe& p = k->probes[i];
            const bool seen = std::any_of(out.begin(), out.end(),
                                          [&](const RoofProbe& o) { return std::string_view(o.family) == p.family; });
            if (!seen) out.push_back(p);
        }
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
