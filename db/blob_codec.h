#pragma once
// Compact BLOB encodings of number arrays: float32 for per-token times (plenty for ms),
// float64 for sample series (stored exactly). Little-endian, as on every supported CPU.
#include <cstddef>
#include <string>
#include <vector>

namespace tbdb::blob {

std::string pack_f32(const std::vector<float>& values);
std::string pack_f64(const std::vector<double>& values);
// Decode `bytes` bytes; a size that is not a whole number of elements is a corrupt row.
std::vector<float> unpack_f32(const void* data, size_t bytes);
std::vector<double> unpack_f64(const void* data, size_t bytes);

}  // namespace tbdb::blob
