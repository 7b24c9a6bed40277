#pragma once
// Writes GGUF v3 files: metadata, tensor infos and aligned tensor data. Used by the demo-model
// generator and by tests that build (good and deliberately bad) files.
#include <cstdint>
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

    // Writes atomically (temp file + rename). Throws tern::Error on I/O failure.
    void write(const std::string& path) const;
    std::vector<uint8_t> to_bytes() const;

private:
    struct Tensor { std::string name; uint32_t type_id; std::vector<int64_t> ne; std::vector<uint8_t> data; };
    uint32_t alignment_ = 32;
    std::vector<std::pair<std::string, GgufValue>> kv_;
    std::vector<Tensor> tensors_;
};

}  // namespace tern
