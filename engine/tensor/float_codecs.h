#pragma once
// Conversions of non-ternary tensor types to float: F32, F16, BF16 for any tensor and
// Q8_0 / Q6_K for token embeddings (llama-quantize writes Q6_K embeddings into TQ files).
#include <cstdint>

#include "engine/base/half_float.h"  // f16_to_f32, f32_to_f16

namespace tern {

float bf16_to_f32(uint16_t h);
uint16_t f32_to_bf16(float f);  // round to nearest even, NaN stays NaN

// Decodes `n` consecutive values of a row of the given type id into `out`.
// Supported: F32, F16, BF16, Q8_0, Q6_K. Throws UnsupportedError otherwise.
void dequantize_row(uint32_t type_id, const uint8_t* row, int64_t n, float* out);
bool is_float_decodable(uint32_t type_id);

}  // namespace tern
