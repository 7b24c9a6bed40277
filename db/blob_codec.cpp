#include "db/blob_codec.h"

#include <bit>
#include <cstring>
#include <stdexcept>

namespace tbdb::blob {

static_assert(std::endian::native == std::endian::little,
              "BLOB layout is little-endian; add byte swapping for this CPU");

namespace {

template <typename T>
std::string pack(const std::vector<T>& values) {
    std::string out(values.size() * sizeof(T), '\0');
    if (!values.empty()) std::memcpy(out.data(), values.data(), out.size());
    return out;
}

template <typename T>
std::vector<T> unpack(const void* data, size_t bytes) {
    if (bytes % sizeof(T) != 0)
        throw std::runtime_error("stored number array has " + std::to_string(bytes) +
                                 " bytes, not a multiple of " + std::to_string(sizeof(T)));
    std::vector<T> out(bytes / sizeof(T));
    if (bytes != 0) std::memcpy(out.data(), data, bytes);
    return out;
}

}  // namespace

std::string pack_f32(const std::vector<float>& values) { return pack(values); }
std::string pack_f64(const std::vector<double>& values) { return pack(values); }
std::vector<float> unpack_f32(const void* data, size_t bytes) { return unpack<float>(data, bytes); }
std::vector<double> unpack_f64(const void* data, size_t bytes) {
    return unpack<double>(data, bytes);
}

}  // namespace tbdb::blob
