#include <algorithm>
#include <cstdlib>
#include <string>

#include "engine/kernels/amx.h"
#include "engine/kernels/kernel_set.h"
#include "engine/base/error.h"

namespace tern {

namespace {

// A compiled-in set is usable only when the CPU (and OS) support every extension its source
// files are compiled with (the compiler may use any of them anywhere in those files), and, for
// AMX, when Linux granted the tile data state to this process.
bool usable(const KernelSet* k, const CpuFeatures& f) {
    if (!k || !cpu_supports_isa(f, k->isa)) return false;
    return std::string_view(k->isa).find("amx-tile") == std::string_view::npos || amx_tiles_granted();
}

// Per-operation choice. The tables of the ISA files are constant data; the sets handed out are
// composed here (baseline code only, so building them is safe on any CPU), each operation
// taking the fastest path its CPU can run, decided by design and checked with the `kernel`
// workload (docs/PERFORMANCE.md):
// - attention in the AVX-512 sets: their own (avx512_attention.cpp), which falls back to the
//   AVX2 set's kernel for head sizes that are not a multiple of 16 (their isa lists cover the
//   AVX2 file's: tests/engine/test_kernels checks it);
// - the "amx" set: the AVX-512 VNNI set, with the ternary GEMM on AMX-INT8 tiles for M >= 16
//   (prefill, batched decode of 16+ streams); below that a tile would be mostly padding.
struct Composed {
    KernelSet avx512{}, avx512_vnni{}, amx{};
    bool has_amx = false;
};
const KernelSet* g_vnni = nullptr;
const AmxParts* g_amx = nullptr;
constexpr int64_t kAmxMinTokens = 16;

void amx_ternary_gemm(const TernaryMatrix& w, int64_t n0, int64_t n1, const QuantizedActs& x, float* y, int64_t ldy) {
    if (x.rows < kAmxMinTokens) g_vnni->ternary_gemm(w, n0, n1, x, y, ldy);
    else g_amx->tile_gemm(w, n0, n1, x, y, ldy);
}

const Composed& composed() {
    static const Composed* c = [] {
        auto* p = new Composed;  // lives as long as the process (handed-out pointers)
        p->avx512 = *avx512_kernels();
        p->avx512_vnni = *avx512_vnni_kernels();
        g_vnni = &p->avx512_vnni;
        g_amx = amx_parts();
        if (g_amx) {
            p->amx = p->avx512_vnni;
            p->amx.name = "amx";
            p->amx.isa = g_amx->isa;
            p->amx.ternary_gemm = amx_ternary_gemm;
            p->amx.big_gemm_family = g_amx->probe.family;
            p->amx.probes = &g_amx->probe;
            p->amx.n_probes = 1;
            p->has_amx = true;
        }
        return p;
    }();
    return *c;
}

// Every composed set, best first.
std::vector<const KernelSet*> all_sets() {
    const Composed& c = composed();
    return {c.has_amx ? &c.amx : nullptr, &c.avx512_vnni, &c.avx512, avx2_kernels()};
}

}  // namespace

const KernelSet* amx_kernels() { return composed().has_amx ? &composed().amx : nullptr; }

std::vector<const KernelSet*> available_kernels() {
    std::vector<const KernelSet*> out;
    const CpuFeatures& f = cpu_features();
    // Best first; of the two AVX-512 variants (one name) only the better usable one is listed.
    for (const KernelSet* k : all_sets()) {
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
    for (const KernelSet* k : all_sets())
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
    if (name == "avx2" || name == "avx512" || name == "amx")
        why = " (not supported by this CPU or not compiled in; CPU has: " +
              cpu_features_string(cpu_features()) + (name == "amx" ? std::string("; AMX: ") + amx_status() : "") + ")";
    throw Error("unknown or unavailable kernel '" + std::string(name) + "'" + why +
                "; choose one of: " + choices);
}

}  // namespace tern
