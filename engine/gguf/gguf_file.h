#pragma once
// Read-only view of a GGUF v2/v3 file over mmap. Every count, size and offset is validated
// before use; a malformed file throws tern::FormatError naming what is wrong and where.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "engine/gguf/ggml_type.h"

namespace tern {

enum class GgufValueType : int32_t {
    U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, BOOL = 7, STRING = 8,
    ARRAY = 9, U64 = 10, I64 = 11, F64 = 12,
};

// One metadata value. Scalars keep their declared type: unsigned integers are stored as
// uint64_t, signed ones as int64_t, f32/f64 as double. Prefer GgufFile's typed getters.
// Arrays hold one element type.
struct GgufArray {
    GgufValueType elem_type = GgufValueType::U8;
    std::vector<int64_t> ints;          // all integer and bool element types
    std::vector<double> floats;         // F32 / F64 elements
    std::vector<std::string> strings;   // STRING elements
    size_t size() const;
};
struct GgufValue {
    GgufValueType type = GgufValueType::U8;
    std::variant<int64_t, uint64_t, double, bool, std::string, GgufArray> data;
};

struct GgufTensorInfo {
    std::string name;
    uint32_t type_id = 0;          // raw id from the file (GgmlType when known)
    std::vector<int64_t> ne;       // ne[0] is the contiguous dimension
    uint64_t offset = 0;           // relative to the data section
    uint64_t nbytes = 0;           // validated size in the file
    int64_t n_elements() const;
};

class GgufFile {
public:
    // Maps the file read-only. Throws FormatError / Error (missing file, etc.).
    static std::shared_ptr<const GgufFile> open(const std::string& path);
    // Parses a copy of an in-memory buffer (fuzzing and tests).
    static std::shared_ptr<const GgufFile> from_bytes(std::span<const uint8_t> bytes);
    ~GgufFile();
    GgufFile(const GgufFile&) = delete;
    GgufFile& operator=(const GgufFile&) = delete;

    const std::string& path() const { return path_; }
    uint32_t version() const { return version_; }
    uint64_t file_size() const { return size_; }
    uint32_t alignment() const { return alignment_; }
    uint64_t data_offset() const { return data_offset_; }

    // Metadata in file order.
    const std::vector<std::pair<std::string, GgufValue>>& metadata() const { return kv_; }
    const GgufValue* find(std::string_view key) const;
    // Typed getters: nullopt when absent; FormatError when present with an incompatible type.
    std::optional<std::string> get_string(std::string_view key) const;
    std::optional<int64_t> get_int(std::string_view key) const;     // any integer type
    std::optional<double> get_float(std::string_view key) const;    // any numeric type
    std::optional<bool> get_bool(std::string_view key) const;
    const GgufArray* get_array(std::string_view key) const;

    const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }
    const GgufTensorInfo* find_tensor(std::string_view name) const;
    // Bytes of a tensor inside the mapping (valid as long as this object lives).
    std::span<const uint8_t> tensor_bytes(const GgufTensorInfo& t) const;

private:
    GgufFile() = default;
    void parse();
    void map_file(const std::string& path);
    std::string label() const;  // the path, or "<memory>" for from_bytes


    std::string path_;
    const uint8_t* base_ = nullptr;
    uint64_t size_ = 0;
    bool mapped_ = false;
    std::vector<uint8_t> owned_;  // from_bytes copy
    uint32_t version_ = 0;
    uint32_t alignment_ = 32;
    uint64_t data_offset_ = 0;
    std::vector<std::pair<std::string, GgufValue>> kv_;
    std::vector<GgufTensorInfo> tensors_;
    // Name -> index, for O(1) lookups (vocabulary-sized files have few keys but many loaders
    // look keys up repeatedly).
    std::unordered_map<std::string_view, size_t> kv_index_;
    std::unordered_map<std::string_view, size_t> tensor_index_;
};

}  // namespace tern
