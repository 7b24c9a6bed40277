#include "engine/gguf/ggml_type.h"

#include <array>
#include <limits>

namespace tern {

namespace {

// Storage of every ggml type id that can appear in a GGUF file (ggml `ggml.c` type traits).
// Ids 31..33 (retired Q4_0_4_4 & co.) and 37+ (meaning differs between ggml and bitnet.cpp's
// fork) are deliberately absent: a file using them is refused rather than guessed at.
struct Entry {
    uint32_t id;
    TypeTraits traits;
};

constexpr std::array kTypes = {
    Entry{0, {"F32", 1, 4}},        Entry{1, {"F16", 1, 2}},
    Entry{2, {"Q4_0", 32, 18}},     Entry{3, {"Q4_1", 32, 20}},
    Entry{6, {"Q5_0", 32, 22}},     Entry{7, {"Q5_1", 32, 24}},
    Entry{8, {"Q8_0", 32, 34}},     Entry{9, {"Q8_1", 32, 36}},
    Entry{10, {"Q2_K", 256, 84}},   Entry{11, {"Q3_K", 256, 110}},
    Entry{12, {"Q4_K", 256, 144}},  Entry{13, {"Q5_K", 256, 176}},
    Entry{14, {"Q6_K", 256, 210}},  Entry{15, {"Q8_K", 256, 292}},
    Entry{16, {"IQ2_XXS", 256, 66}}, Entry{17, {"IQ2_XS", 256, 74}},
    Entry{18, {"IQ3_XXS", 256, 98}}, Entry{19, {"IQ1_S", 256, 50}},
    Entry{20, {"IQ4_NL", 32, 18}},  Entry{21, {"IQ3_S", 256, 110}},
    Entry{22, {"IQ2_S", 256, 82}},  Entry{23, {"IQ4_XS", 256, 136}},
    Entry{24, {"I8", 1, 1}},        Entry{25, {"I16", 1, 2}},
    Entry{26, {"I32", 1, 4}},       Entry{27, {"I64", 1, 8}},
    Entry{28, {"F64", 1, 8}},       Entry{29, {"IQ1_M", 256, 56}},
    Entry{30, {"BF16", 1, 2}},
    Entry{34, {"TQ1_0", 256, 54}},  Entry{35, {"TQ2_0", 256, 66}},
    // I2_S: nominal block of 1 weight; its real size is special-cased in tensor_nbytes.
    Entry{36, {"I2_S", 1, 1}},
};

bool mul_overflows(uint64_t a, uint64_t b, uint64_t* out) {
    return __builtin_mul_overflow(a, b, out);
}

}  // namespace

std::optional<TypeTraits> type_traits(uint32_t type_id) {
    for (const auto& e : kTypes)
        if (e.id == type_id) return e.traits;
    return std::nullopt;
}

std::string type_name(uint32_t type_id) {
    if (auto t = type_traits(type_id)) return t->name;
    return "type " + std::to_string(type_id);
}

std::optional<uint64_t> tensor_nbytes(uint32_t type_id, const int64_t* ne, int n_dims) {
    auto traits = type_traits(type_id);
    if (!traits || n_dims < 0) return std::nullopt;
    uint64_t n = 1;
    for (int i = 0; i < n_dims; ++i) {
        if (ne[i] < 0) return std::nullopt;
        if (mul_overflows(n, static_cast<uint64_t>(ne[i]), &n)) return std::nullopt;
    }
    if (n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    const int64_t ne0 = n_dims > 0 ? ne[0] : 1;
    if (type_id == static_cast<uint32_t>(GgmlType::I2_S)) {
        // Codes in blocks of 128 weights (4 per byte) + a 32-byte tail holding the scale.
        if (ne0 % 128 != 0) return std::nullopt;
        return n / 4 + 32;
    }
    if (ne0 % traits->block_size != 0) return std::nullopt;
    uint64_t bytes = 0;
    if (mul_overflows(n / static_cast<uint64_t>(traits->block_size),
                      static_cast<uint64_t>(traits->block_bytes), &bytes))
        return std::nullopt;
    return bytes;
}

}  // namespace tern
