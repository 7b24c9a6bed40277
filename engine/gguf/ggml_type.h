#pragma once
// ggml tensor type ids as they appear in GGUF files, and their storage sizes.
#include <cstdint>
#include <optional>
#include <string>

namespace tern {

enum class GgmlType : uint32_t {
    F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q8_1 = 9,
    Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, Q8_K = 15,
    IQ2_XXS = 16, IQ2_XS = 17, IQ3_XXS = 18, IQ1_S = 19, IQ4_NL = 20, IQ3_S = 21, IQ2_S = 22,
    IQ4_XS = 23, I8 = 24, I16 = 25, I32 = 26, I64 = 27, F64 = 28, IQ1_M = 29, BF16 = 30,
    TQ1_0 = 34, TQ2_0 = 35,
    I2_S = 36,  // bitnet.cpp's fork; docs/FORMATS.md section 1: the id clash
};

struct TypeTraits {
    const char* name;
    int64_t block_size;   // weights per block
    int64_t block_bytes;  // bytes per block
};

// Traits of a type id, or nullopt for ids this engine does not know at all.
std::optional<TypeTraits> type_traits(uint32_t type_id);
std::string type_name(uint32_t type_id);  // "TQ2_0", or "type 99" when unknown

// Bytes a tensor of this type and shape occupies in the file, or nullopt on overflow or
// when ne0 is not a multiple of the block size. I2_S is special: ne0*ne1/4 codes plus a
// 32-byte tail holding the float scale (not block_bytes * n / block_size).
std::optional<uint64_t> tensor_nbytes(uint32_t type_id, const int64_t* ne, int n_dims);

}  // namespace tern
