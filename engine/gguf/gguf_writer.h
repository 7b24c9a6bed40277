#pragma once
// Writes GGUF v3 files: metadata, tensor infos and aligned tensor data. Used by the demo-model
// generator and by tests. Adding a key that exists replaces its value (order is kept).
// Throws tern::Error for a tensor whose data size does not match its type and shape, and
// for duplicate tensor names.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "engine/gguf/gguf_file.h"

namespace tern {

class GgufWriter {
public:
    void set_alignment(uint32_t alignment);  // also written as general.alignment
    void add_string(const std::string& key, const std::string& v);
    void add_u32(const std::string& key, uint32_t v);
    void add_i32(const std::string& key, int32_t v);
    void add_u64(const std::string& key, uint64_t v);
    void add_f32(const std::string& key, float v);
    void add_bool(const std::string& key, bool v);
    void add_string_array(const std::string& key, const std::vector<std::string>& v);
    void add_f32_array(const std::string& key, const std::vector<float>& v);
    void add_i32_array(const std::string& key, const std::vector<int32_t>& v);
    void add_value(const std::string& key, const GgufValue& v);

    // ne[0] is the contiguous dimension; data must hold exactly tensor_nbytes(type, ne) bytes.
    void add_tensor(const std::string& name, uint32_t type_id, std::vector<int64_t> ne,
                    std::vector<uint8_t> data);
    // A tensor whose bytes are produced at write time (`fill` receives a zeroed buffer of
    // exactly tensor_nbytes bytes), so multi-GB files are written without holding all data
    // in memory. `fill` must be deterministic: to_bytes() and write() each call it once.
    using FillFn = std::function<void(std::span<uint8_t>)>;
    void add_tensor_generated(const std::string& name, uint32_t type_id, std::vector<int64_t> ne,
                              FillFn fill);

    // Writes atomically (temp file + rename). Throws tern::Error on I/O failure.
    void write(const std::string& path) const;
    std::vector<uint8_t> to_bytes() const;

private:
    struct Tensor {
        std::string name;
        uint32_t type_id;
        std::vector<int64_t> ne;
        uint64_t nbytes;
        std::vector<uint8_t> data;  // empty when `fill` produces the bytes
        FillFn fill;
    };
    uint64_t check_tensor(const std::string& name, uint32_t type_id, const std::vector<int64_t>& ne) const;
    void serialize(const std::function<void(const void*, size_t)>& sink) const;
    uint32_t alignment_ = 32;
    std::vector<std::pair<std::string, GgufValue>> kv_;
    std::vector<Tensor> tensors_;
};

}  // namespace tern
