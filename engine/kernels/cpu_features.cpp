#include <cstdint>
#include <cstring>
#include <string>

#include "engine/kernels/kernel_set.h"

#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "engine/kernels/amx.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define TERN_X86 1
#endif

namespace tern {

namespace {

#ifdef TERN_X86
// XCR0 tells which register states the OS saves on context switch; a CPU flag alone is not
// enough (an OS without AVX-512 state support would corrupt zmm registers).
uint64_t read_xcr0() {
    uint32_t lo = 0, hi = 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (static_cast<uint64_t>(hi) << 32) | lo;
}

CpuFeatures detect() {
    CpuFeatures f;
    unsigned a = 0, b = 0, c = 0, d = 0;
    const unsigned max_leaf = __get_cpuid_max(0, nullptr);
    if (max_leaf >= 1) {
        __cpuid_count(1, 0, a, b, c, d);
        const bool osxsave = c & (1u << 27);
        const bool avx = c & (1u << 28);
        f.fma = c & (1u << 12);
        f.f16c = c & (1u << 29);
        const uint64_t xcr0 = osxsave ? read_xcr0() : 0;
        const bool os_ymm = (xcr0 & 0x6) == 0x6;            // SSE + AVX state
        const bool os_zmm = (xcr0 & 0xE6) == 0xE6;          // + opmask, ZMM_Hi256, Hi16_ZMM
        const bool os_tiles = (xcr0 & 0x60000) == 0x60000;  // XTILECFG + XTILEDATA
        if (!(avx && os_ymm)) f.fma = f.f16c = false;
        if (max_leaf >= 7) {
            __cpuid_count(7, 0, a, b, c, d);
            f.avx2 = avx && os_ymm && (b & (1u << 5));
            f.bmi2 = b & (1u << 8);
            f.avx512f = os_zmm && (b & (1u << 16));
            f.avx512dq = f.avx512f && (b & (1u << 17));
            f.avx512bw = f.avx512f && (b & (1u << 30));
            f.avx512vl = f.avx512f && (b & (1u << 31));
            f.avx512vnni = f.avx512f && (c & (1u << 11));
            f.amx_bf16 = os_tiles && (d & (1u << 22));
            f.amx_tile = os_tiles && (d & (1u << 24));
            f.amx_int8 = os_tiles && (d & (1u << 25));
            unsigned a1 = 0, b1 = 0, c1 = 0, d1 = 0;
            __cpuid_count(7, 1, a1, b1, c1, d1);
            f.avx_vnni = avx && os_ymm && (a1 & (1u << 4));
        }
    }
    // Brand string: extended leaves 0x80000002..4, 16 bytes each.
    if (static_cast<unsigned>(__get_cpuid_max(0x80000000, nullptr)) >= 0x80000004u) {
        char brand[49] = {};
        for (unsigned i = 0; i < 3; ++i) {
            unsigned r[4];
            __cpuid(0x80000002 + i, r[0], r[1], r[2], r[3]);
            std::memcpy(brand + 16 * i, r, 16);
        }
        std::string s(brand);
        const auto first = s.find_first_not_of(' ');
        const auto last = s.find_last_not_of(' ');
        f.brand = first == std::string::npos ? "" : s.substr(first, last - first + 1);
    }
    return f;
}
#else
CpuFeatures detect() {
    CpuFeatures f;
#if defined(__aarch64__)
    f.neon = true;
#endif
    return f;
}
#endif

}  // namespace

const CpuFeatures& cpu_features() {
    static const CpuFeatures features = detect();
    return features;
}

std::string cpu_features_string(const CpuFeatures& f) {
    std::string s;
    auto add = [&](bool on, const char* name) {
        if (!on) return;
        if (!s.empty()) s += ' ';
        s += name;
    };
    add(f.avx2, "AVX2");
    add(f.fma, "FMA");
    add(f.f16c, "F16C");
    add(f.bmi2, "BMI2");
    add(f.avx512f, "AVX512F");
    add(f.avx512bw, "AVX512BW");
    add(f.avx512vl, "AVX512VL");
    add(f.avx512dq, "AVX512DQ");
    add(f.avx512vnni, "AVX512VNNI");
    add(f.avx_vnni, "AVX-VNNI");
    add(f.amx_tile, "AMX-TILE");
    add(f.amx_int8, "AMX-INT8");
    add(f.amx_bf16, "AMX-BF16");
    add(f.neon, "NEON");
    return s;
}

bool cpu_supports_isa(const CpuFeatures& f, std::string_view isa) {
    const struct { std::string_view name; bool on; } known[] = {
        {"avx2", f.avx2},         {"fma", f.fma},           {"f16c", f.f16c},
        {"bmi2", f.bmi2},         {"avx512f", f.avx512f},   {"avx512bw", f.avx512bw},
        {"avx512vl", f.avx512vl}, {"avx512dq", f.avx512dq}, {"avx512vnni", f.avx512vnni},
        {"avxvnni", f.avx_vnni},  {"amx-tile", f.amx_tile}, {"amx-int8", f.amx_int8},
        {"amx-bf16", f.amx_bf16},
    };
    while (!isa.empty()) {
        const size_t comma = isa.find(',');
        const std::string_view name = isa.substr(0, comma);
        isa = comma == std::string_view::npos ? std::string_view() : isa.substr(comma + 1);
        if (name.empty()) continue;
        bool found = false;
        for (const auto& k : known)
            if (k.name == name) {
                if (!k.on) return false;
                found = true;
            }
        if (!found) return false;
    }
    return true;
}

namespace {

// Linux (5.16+) gives a process the AMX tile data state only on request; a tile instruction
// without it faults. Asked once, before any tile instruction runs.
struct AmxGrant {
    bool granted = false;
    const char* status = "not on this CPU";
};

AmxGrant ask_for_tiles() {
    AmxGrant g;
    const CpuFeatures& f = cpu_features();
    if (!(f.amx_tile && f.amx_int8)) return g;
#if defined(__linux__) && defined(__x86_64__)
    constexpr long kArchGetXcompPerm = 0x1022, kArchReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
    if (syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) != 0) {
        g.status = "refused by the OS (arch_prctl ARCH_REQ_XCOMP_PERM failed)";
        return g;
    }
    unsigned long bits = 0;
    if (syscall(SYS_arch_prctl, kArchGetXcompPerm, &bits) != 0 || !(bits & (1ul << kXfeatureXtiledata))) {
        g.status = "refused by the OS (tile data state not in ARCH_GET_XCOMP_PERM)";
        return g;
    }
    g.granted = true;
    g.status = "AMX-INT8 tiles granted by the OS";
#else
    g.status = "not available on this OS";
#endif
    return g;
}

const AmxGrant& amx_grant() {
    static const AmxGrant g = ask_for_tiles();
    return g;
}

}  // namespace

bool amx_tiles_granted() { return amx_grant().granted; }
const char* amx_status() { return amx_grant().status; }

}  // namespace tern
