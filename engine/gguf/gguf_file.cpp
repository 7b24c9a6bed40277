#include "engine/gguf/gguf_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include "engine/base/error.h"

namespace tern {

namespace {

constexpr uint64_t kMaxTensorName = 64;  // ggml's GGML_MAX_NAME
constexpr uint32_t kMaxDims = 4;

const char* value_type_name(int32_t t) {
    switch (static_cast<GgufValueType>(t)) {
    case GgufValueType::U8: return "u8";
    case GgufValueType::I8: return "i8";
    case GgufValueType::U16: return "u16";
    case GgufValueType::I16: return "i16";
    case GgufValueType::U32: return "u32";
    case GgufValueType::I32: return "i32";
    case GgufValueType::F32: return "f32";
    case GgufValueType::BOOL: return "bool";
    case GgufValueType::STRING: return "string";
    case GgufValueType::ARRAY: return "array";
    case GgufValueType::U64: return "u64";
    case GgufValueType::I64: return "i64";
    case GgufValueType::F64: return "f64";
    }
    return "unknown";
}

// Size in bytes of a fixed-size scalar type, 0 for string/array/unknown.
uint64_t scalar_size(int32_t t) {
    switch (static_cast<GgufValueType>(t)) {
    case GgufValueType::U8: case GgufValueType::I8: case GgufValueType::BOOL: return 1;
    case GgufValueType::U16: case GgufValueType::I16: return 2;
    case GgufValueType::U32: case GgufValueType::I32: case GgufValueType::F32: return 4;
    case GgufValueType::U64: case GgufValueType::I64: case GgufValueType::F64: return 8;
    default: return 0;
    }
}

bool is_integer_type(GgufValueType t) {
    switch (t) {
    case GgufValueType::U8: case GgufValueType::I8: case GgufValueType::U16:
    case GgufValueType::I16: case GgufValueType::U32: case GgufValueType::I32:
    case GgufValueType::U64: case GgufValueType::I64: return true;
    default: return false;
    }
}

std::string shape_string(const std::vector<int64_t>& ne) {
    std::string s;
    for (size_t i = 0; i < ne.size(); ++i) {
        if (i) s += 'x';
        s += std::to_string(ne[i]);
    }
    return s;
}

// Bounds-checked little-endian reader over the untrusted bytes. Every read checks the
// remaining length first; errors name the file, the current section and the byte offset.
class Reader {
public:
    Reader(const uint8_t* base, uint64_t size, std::string label)
        : base_(base), size_(size), label_(std::move(label)) {}

    uint64_t pos() const { return pos_; }
    uint64_t remaining() const { return size_ - pos_; }
    void set_context(std::string ctx) { context_ = std::move(ctx); }

    [[noreturn]] void fail(const std::string& problem) const {
        std::string msg = label_ + ": ";
        if (!context_.empty()) msg += context_ + ": ";
        throw FormatError(msg + problem);
    }

    void need(uint64_t n, const char* what) const {
        if (n > remaining())
            fail(std::string(what) + " at byte " + std::to_string(pos_) + " needs " +
                 std::to_string(n) + " bytes but the file ends at byte " + std::to_string(size_) +
                 " (truncated file?)");
    }

    template <typename T>
    T read(const char* what) {
        need(sizeof(T), what);
        T v;
        std::memcpy(&v, base_ + pos_, sizeof(T));
        pos_ += sizeof(T);
        return v;
    }

    std::string_view read_string(const char* what) {
        const uint64_t start = pos_;
        const uint64_t len = read<uint64_t>(what);
        if (len > remaining())
            fail(std::string(what) + " at byte " + std::to_string(start) + " has length " +
                 std::to_string(len) + ", past the end of the file (size " +
                 std::to_string(size_) + ")");
        std::string_view s(reinterpret_cast<const char*>(base_ + pos_), len);
        pos_ += len;
        return s;
    }

    const uint8_t* here() const { return base_ + pos_; }
    void skip(uint64_t n) { pos_ += n; }  // caller has checked need(n)

private:
    const uint8_t* base_;
    uint64_t size_;
    uint64_t pos_ = 0;
    std::string label_;
    std::string context_;
};

template <typename T>
T load(const uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
}

bool read_bool(Reader& r, const char* what) {
    const uint8_t b = r.read<uint8_t>(what);
    if (b > 1) r.fail(std::string(what) + " has value " + std::to_string(b) + ", not 0 or 1");
    return b != 0;
}

GgufValue read_scalar(Reader& r, int32_t type) {
    GgufValue v;
    v.type = static_cast<GgufValueType>(type);
    switch (v.type) {
    case GgufValueType::U8: v.data = uint64_t{r.read<uint8_t>("u8 value")}; break;
    case GgufValueType::I8: v.data = int64_t{r.read<int8_t>("i8 value")}; break;
    case GgufValueType::U16: v.data = uint64_t{r.read<uint16_t>("u16 value")}; break;
    case GgufValueType::I16: v.data = int64_t{r.read<int16_t>("i16 value")}; break;
    case GgufValueType::U32: v.data = uint64_t{r.read<uint32_t>("u32 value")}; break;
    case GgufValueType::I32: v.data = int64_t{r.read<int32_t>("i32 value")}; break;
    case GgufValueType::U64: v.data = uint64_t{r.read<uint64_t>("u64 value")}; break;
    case GgufValueType::I64: v.data = int64_t{r.read<int64_t>("i64 value")}; break;
    case GgufValueType::F32: v.data = double{r.read<float>("f32 value")}; break;
    case GgufValueType::F64: v.data = r.read<double>("f64 value"); break;
    case GgufValueType::BOOL: v.data = read_bool(r, "bool value"); break;
    case GgufValueType::STRING: v.data = std::string(r.read_string("string value")); break;
    default: r.fail("value type " + std::to_string(type) + " is not a GGUF value type");
    }
    return v;
}

GgufArray read_array(Reader& r) {
    GgufArray a;
    const int32_t elem = r.read<int32_t>("array element type");
    const uint64_t count = r.read<uint64_t>("array element count");
    if (elem == static_cast<int32_t>(GgufValueType::ARRAY))
        r.fail("arrays of arrays are not supported");
    a.elem_type = static_cast<GgufValueType>(elem);
    if (elem == static_cast<int32_t>(GgufValueType::STRING)) {
        // Each string needs at least its 8-byte length: bound the count before reserving.
        if (count > r.remaining() / 8)
            r.fail("array of " + std::to_string(count) + " strings cannot fit in the " +
                   std::to_string(r.remaining()) + " bytes left in the file");
        a.strings.reserve(std::min<uint64_t>(count, 1u << 20));  // grows if really larger
        for (uint64_t i = 0; i < count; ++i) a.strings.emplace_back(r.read_string("array string"));
        return a;
    }
    const uint64_t esize = scalar_size(elem);
    if (esize == 0) r.fail("array element type " + std::to_string(elem) + " is not a GGUF value type");
    if (count > r.remaining() / esize)
        r.fail("array of " + std::to_string(count) + " " + value_type_name(elem) +
               " values cannot fit in the " + std::to_string(r.remaining()) +
               " bytes left in the file");
    const uint8_t* p = r.here();
    const auto t = a.elem_type;
    if (t == GgufValueType::F32 || t == GgufValueType::F64) {
        a.floats.resize(count);
        for (uint64_t i = 0; i < count; ++i)
            a.floats[i] = t == GgufValueType::F32 ? double{load<float>(p + 4 * i)}
                                                  : load<double>(p + 8 * i);
    } else {
        a.ints.resize(count);
        for (uint64_t i = 0; i < count; ++i) {
            const uint8_t* q = p + esize * i;
            int64_t v = 0;
            switch (t) {
            case GgufValueType::U8: v = load<uint8_t>(q); break;
            case GgufValueType::I8: v = load<int8_t>(q); break;
            case GgufValueType::BOOL:
                if (*q > 1) r.fail("bool array element " + std::to_string(i) + " is not 0 or 1");
                v = *q;
                break;
            case GgufValueType::U16: v = load<uint16_t>(q); break;
            case GgufValueType::I16: v = load<int16_t>(q); break;
            case GgufValueType::U32: v = load<uint32_t>(q); break;
            case GgufValueType::I32: v = load<int32_t>(q); break;
            // u64 elements keep their bit pattern (values above INT64_MAX wrap).
            case GgufValueType::U64: v = static_cast<int64_t>(load<uint64_t>(q)); break;
            case GgufValueType::I64: v = load<int64_t>(q); break;
            default: break;
            }
            a.ints[i] = v;
        }
    }
    r.skip(count * esize);
    return a;
}

}  // namespace

size_t GgufArray::size() const {
    if (elem_type == GgufValueType::STRING) return strings.size();
    if (elem_type == GgufValueType::F32 || elem_type == GgufValueType::F64) return floats.size();
    return ints.size();
}

int64_t GgufTensorInfo::n_elements() const {
    int64_t n = 1;
    for (int64_t d : ne) n *= d;  // validated not to overflow when the file was parsed
    return n;
}

std::string GgufFile::label() const { return path_.empty() ? std::string("<memory>") : path_; }

GgufFile::~GgufFile() {
    if (mapped_ && base_) munmap(const_cast<uint8_t*>(base_), size_);
}

void GgufFile::map_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error("cannot open model file '" + path + "': " + std::strerror(errno));
    struct stat st{};
    if (fstat(fd, &st) != 0) {
        const int e = errno;
        ::close(fd);
        throw Error("cannot stat '" + path + "': " + std::strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        throw Error("'" + path + "' is not a regular file");
    }
    size_ = static_cast<uint64_t>(st.st_size);
    if (size_ == 0) {
        ::close(fd);
        throw FormatError(path + ": the file is empty (0 bytes), not a GGUF file");
    }
    void* p = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    const int e = errno;
    ::close(fd);  // the mapping keeps the file alive
    if (p == MAP_FAILED) throw Error("cannot map '" + path + "' into memory: " + std::strerror(e));
    base_ = static_cast<const uint8_t*>(p);
    mapped_ = true;
}

std::shared_ptr<const GgufFile> GgufFile::open(const std::string& path) {
    std::shared_ptr<GgufFile> f(new GgufFile());
    f->path_ = path;
    f->map_file(path);
    f->parse();
    return f;
}

std::shared_ptr<const GgufFile> GgufFile::from_bytes(std::span<const uint8_t> bytes) {
    std::shared_ptr<GgufFile> f(new GgufFile());
    f->owned_.assign(bytes.begin(), bytes.end());
    f->base_ = f->owned_.data();
    f->size_ = f->owned_.size();
    f->parse();
    return f;
}

void GgufFile::parse() {
    Reader r(base_, size_, label());
    r.set_context("header");
    if (size_ < 4 || std::memcmp(base_, "GGUF", 4) != 0) {
        std::string got;
        for (uint64_t i = 0; i < std::min<uint64_t>(size_, 4); ++i) {
            const char c = static_cast<char>(base_[i]);
            static const char* hex = "0123456789abcdef";
            if (c >= 32 && c < 127) got += c;
            else got += std::string("\\x") + hex[base_[i] >> 4] + hex[base_[i] & 15];
        }
        r.fail("not a GGUF file (magic is '" + got + "', expected 'GGUF')");
    }
    r.skip(4);
    version_ = r.read<uint32_t>("version");
    if (version_ != 2 && version_ != 3) {
        std::string hint;
        if (version_ == 1) hint = " (GGUF v1 is obsolete: re-convert the model)";
        else if ((version_ & 0xffff) == 0) hint = " (a big-endian file?)";
        r.fail("GGUF version " + std::to_string(version_) + " is not supported, only 2 and 3" + hint);
    }
    const uint64_t n_tensors = r.read<uint64_t>("tensor count");
    const uint64_t n_kv = r.read<uint64_t>("metadata count");
    // Smallest KV: 8-byte key length + 4-byte type + 1-byte value. Smallest tensor info:
    // 8 (name length) + 4 (n_dims) + 8 (one dim) + 4 (type) + 8 (offset) = 32.
    if (n_kv > r.remaining() / 13)
        r.fail("metadata count " + std::to_string(n_kv) + " cannot fit in the " +
               std::to_string(r.remaining()) + " bytes after the header (truncated or corrupt file)");
    if (n_tensors > r.remaining() / 32)
        r.fail("tensor count " + std::to_string(n_tensors) + " cannot fit in the " +
               std::to_string(r.remaining()) + " bytes after the header (truncated or corrupt file)");

    kv_.reserve(std::min<uint64_t>(n_kv, 4096));
    for (uint64_t i = 0; i < n_kv; ++i) {
        r.set_context("metadata entry " + std::to_string(i));
        std::string key(r.read_string("key"));
        r.set_context("metadata key '" + key + "'");
        const int32_t type = r.read<int32_t>("value type");
        GgufValue v;
        if (type == static_cast<int32_t>(GgufValueType::ARRAY)) {
            v.type = GgufValueType::ARRAY;
            v.data = read_array(r);
        } else {
            v = read_scalar(r, type);
        }
        kv_.emplace_back(std::move(key), std::move(v));
    }
    r.set_context("metadata");
    kv_index_.reserve(kv_.size());
    for (size_t i = 0; i < kv_.size(); ++i)
        if (!kv_index_.emplace(kv_[i].first, i).second)
            r.fail("key '" + kv_[i].first + "' appears more than once");

    r.set_context("metadata key 'general.alignment'");
    if (const GgufValue* a = find("general.alignment")) {
        if (a->type != GgufValueType::U32)
            r.fail(std::string("has type ") + value_type_name(static_cast<int32_t>(a->type)) +
                   ", expected u32");
        const uint64_t al = std::get<uint64_t>(a->data);
        if (al == 0 || (al & (al - 1)) != 0 || al > (1u << 30))
            r.fail("alignment " + std::to_string(al) + " is not a power of two");
        alignment_ = static_cast<uint32_t>(al);
    }

    tensors_.reserve(std::min<uint64_t>(n_tensors, 65536));
    for (uint64_t i = 0; i < n_tensors; ++i) {
        r.set_context("tensor info " + std::to_string(i));
        GgufTensorInfo t;
        const std::string_view name = r.read_string("tensor name");
        if (name.size() > kMaxTensorName)
            r.fail("tensor name of " + std::to_string(name.size()) + " bytes is longer than " +
                   std::to_string(kMaxTensorName));
        t.name = std::string(name);
        r.set_context("tensor '" + t.name + "'");
        const uint32_t n_dims = r.read<uint32_t>("dimension count");
        if (n_dims < 1 || n_dims > kMaxDims)
            r.fail("has " + std::to_string(n_dims) + " dimensions (1 to 4 allowed)");
        t.ne.resize(n_dims);
        for (uint32_t d = 0; d < n_dims; ++d) {
            t.ne[d] = r.read<int64_t>("dimension");
            if (t.ne[d] < 0) r.fail("dimension " + std::to_string(d) + " is negative (" +
                                    std::to_string(t.ne[d]) + ")");
        }
        t.type_id = r.read<uint32_t>("type id");
        t.offset = r.read<uint64_t>("data offset");
        const std::string desc = "tensor '" + t.name + "' (" + type_name(t.type_id) + ", " +
                                 shape_string(t.ne) + ")";
        if (!type_traits(t.type_id)) {
            // 37..39: retired or other types upstream, TL1/TL2 lookup-table layouts in
            // bitnet.cpp's fork; neither is supported, and guessing would misread weights.
            const std::string hint = t.type_id >= 37 && t.type_id <= 39
                ? " (ids 37-39 mean different types in ggml and bitnet.cpp, e.g. TL1/TL2; "
                  "re-quantize to I2_S, TQ2_0 or TQ1_0)"
                : "";
            throw UnsupportedError(label() + ": " + desc + " has tensor type id " +
                                   std::to_string(t.type_id) +
                                   ", which this engine does not know" + hint);
        }
        r.set_context(desc);
        const auto nbytes = tensor_nbytes(t.type_id, t.ne.data(), static_cast<int>(n_dims));
        if (!nbytes) {
            int64_t n = 1;
            bool overflow = false;
            for (int64_t d : t.ne) overflow |= __builtin_mul_overflow(n, d, &n);
            if (overflow) r.fail("element count overflows 64 bits");
            const int64_t bs = t.type_id == static_cast<uint32_t>(GgmlType::I2_S) ? 128 : type_traits(t.type_id)->block_size;
            r.fail("row length " + std::to_string(t.ne[0]) + " is not a multiple of the block size " +
                   std::to_string(bs) + ", or the byte size overflows");
        }
        t.nbytes = *nbytes;
        if (t.offset % alignment_ != 0)
            r.fail("data offset " + std::to_string(t.offset) + " is not a multiple of the alignment " +
                   std::to_string(alignment_));
        tensors_.push_back(std::move(t));
    }

    // Data section: after the tensor infos, rounded up to the alignment.
    r.set_context("data section");
    const uint64_t end_of_infos = r.pos();
    data_offset_ = (end_of_infos + alignment_ - 1) / alignment_ * alignment_;  // no overflow: pos <= size
    if (!tensors_.empty() && data_offset_ > size_)
        r.fail("starts at byte " + std::to_string(data_offset_) + ", past the end of the file (size " +
               std::to_string(size_) + ")");
    const uint64_t data_size = data_offset_ <= size_ ? size_ - data_offset_ : 0;

    tensor_index_.reserve(tensors_.size());
    for (size_t i = 0; i < tensors_.size(); ++i) {
        const GgufTensorInfo& t = tensors_[i];
        const std::string desc = "tensor '" + t.name + "' (" + type_name(t.type_id) + ", " +
                                 shape_string(t.ne) + ")";
        if (!tensor_index_.emplace(t.name, i).second)
            r.fail("tensor name '" + t.name + "' appears more than once");
        if (t.offset > data_size || t.nbytes > data_size - t.offset) {
            r.set_context("");
            uint64_t end = 0;
            const bool ovf = __builtin_add_overflow(data_offset_, t.offset, &end) ||
                             __builtin_add_overflow(end, t.nbytes, &end);
            r.fail(desc + (ovf ? std::string(" ends beyond 2^64 bytes") :
                           " ends at byte " + std::to_string(end)) +
                   " past the end of the file (size " + std::to_string(size_) + ")");
        }
    }

    // No two tensors may share bytes: sort the non-empty ranges and compare neighbours.
    std::vector<size_t> order;
    order.reserve(tensors_.size());
    for (size_t i = 0; i < tensors_.size(); ++i)
        if (tensors_[i].nbytes > 0) order.push_back(i);
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return tensors_[a].offset < tensors_[b].offset; });
    for (size_t k = 1; k < order.size(); ++k) {
        const GgufTensorInfo& a = tensors_[order[k - 1]];
        const GgufTensorInfo& b = tensors_[order[k]];
        if (a.offset + a.nbytes > b.offset) {
            r.set_context("");
            r.fail("tensor '" + b.name + "' (data bytes " + std::to_string(b.offset) + ".." +
                   std::to_string(b.offset + b.nbytes) + ") overlaps tensor '" + a.name +
                   "' (bytes " + std::to_string(a.offset) + ".." +
                   std::to_string(a.offset + a.nbytes) + ")");
        }
    }
}

const GgufValue* GgufFile::find(std::string_view key) const {
    auto it = kv_index_.find(key);
    return it == kv_index_.end() ? nullptr : &kv_[it->second].second;
}

namespace {
[[noreturn]] void wrong_type(const std::string& label, std::string_view key, GgufValueType t,
                             const char* expected) {
    throw FormatError(label + ": metadata key '" + std::string(key) + "' has type " +
                      value_type_name(static_cast<int32_t>(t)) + ", expected " + expected);
}
}  // namespace

std::optional<std::string> GgufFile::get_string(std::string_view key) const {
    const GgufValue* v = find(key);
    if (!v) return std::nullopt;
    if (v->type != GgufValueType::STRING) wrong_type(label(), key, v->type, "string");
    return std::get<std::string>(v->data);
}

std::optional<int64_t> GgufFile::get_int(std::string_view key) const {
    const GgufValue* v = find(key);
    if (!v) return std::nullopt;
    if (!is_integer_type(v->type)) wrong_type(label(), key, v->type, "an integer");
    if (const auto* u = std::get_if<uint64_t>(&v->data)) {
        if (*u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            throw FormatError(label() + ": metadata key '" + std::string(key) + "' value " +
                              std::to_string(*u) + " is out of range");
        return static_cast<int64_t>(*u);
    }
    return std::get<int64_t>(v->data);
}

std::optional<double> GgufFile::get_float(std::string_view key) const {
    const GgufValue* v = find(key);
    if (!v) return std::nullopt;
    if (v->type == GgufValueType::F32 || v->type == GgufValueType::F64)
        return std::get<double>(v->data);
    if (!is_integer_type(v->type)) wrong_type(label(), key, v->type, "a number");
    if (const auto* u = std::get_if<uint64_t>(&v->data)) return static_cast<double>(*u);
    return static_cast<double>(std::get<int64_t>(v->data));
}

std::optional<bool> GgufFile::get_bool(std::string_view key) const {
    const GgufValue* v = find(key);
    if (!v) return std::nullopt;
    if (v->type != GgufValueType::BOOL) wrong_type(label(), key, v->type, "bool");
    return std::get<bool>(v->data);
}

const GgufArray* GgufFile::get_array(std::string_view key) const {
    const GgufValue* v = find(key);
    if (!v) return nullptr;
    if (v->type != GgufValueType::ARRAY) wrong_type(label(), key, v->type, "array");
    return &std::get<GgufArray>(v->data);
}

const GgufTensorInfo* GgufFile::find_tensor(std::string_view name) const {
    auto it = tensor_index_.find(name);
    return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

std::span<const uint8_t> GgufFile::tensor_bytes(const GgufTensorInfo& t) const {
    return {base_ + data_offset_ + t.offset, static_cast<size_t>(t.nbytes)};
}

}  // namespace tern
