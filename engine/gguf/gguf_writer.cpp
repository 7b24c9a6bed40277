#include "engine/gguf/gguf_writer.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "engine/base/error.h"

namespace tern {

namespace {

uint64_t align_up(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }

// Numeric payload of a scalar whatever variant alternative holds it.
template <typename T>
T numeric(const GgufValue& v) {
    if (const auto* i = std::get_if<int64_t>(&v.data)) return static_cast<T>(*i);
    if (const auto* u = std::get_if<uint64_t>(&v.data)) return static_cast<T>(*u);
    if (const auto* d = std::get_if<double>(&v.data)) return static_cast<T>(*d);
    if (const auto* b = std::get_if<bool>(&v.data)) return static_cast<T>(*b);
    throw Error("GGUF writer: value of numeric type holds a string or array");
}

class Out {
public:
    explicit Out(std::function<void(const void*, size_t)> sink) : sink_(std::move(sink)) {}
    template <typename T>
    void put(T v) { sink_(&v, sizeof(T)); }
    void bytes(const void* p, size_t n) { if (n) sink_(p, n); }
    void str(const std::string& s) {
        put<uint64_t>(s.size());
        bytes(s.data(), s.size());
    }
    void zeros(uint64_t n) {
        static const uint8_t z[256] = {};
        while (n) {
            const size_t k = static_cast<size_t>(std::min<uint64_t>(n, sizeof z));
            sink_(z, k);
            n -= k;
        }
    }

private:
    std::function<void(const void*, size_t)> sink_;
};

void put_element(Out& o, GgufValueType t, int64_t v) {
    switch (t) {
    case GgufValueType::U8: o.put<uint8_t>(static_cast<uint8_t>(v)); break;
    case GgufValueType::I8: o.put<int8_t>(static_cast<int8_t>(v)); break;
    case GgufValueType::BOOL: o.put<uint8_t>(v ? 1 : 0); break;
    case GgufValueType::U16: o.put<uint16_t>(static_cast<uint16_t>(v)); break;
    case GgufValueType::I16: o.put<int16_t>(static_cast<int16_t>(v)); break;
    case GgufValueType::U32: o.put<uint32_t>(static_cast<uint32_t>(v)); break;
    case GgufValueType::I32: o.put<int32_t>(static_cast<int32_t>(v)); break;
    case GgufValueType::U64: o.put<uint64_t>(static_cast<uint64_t>(v)); break;
    case GgufValueType::I64: o.put<int64_t>(v); break;
    default: throw Error("GGUF writer: bad integer array element type");
    }
}

void put_value(Out& o, const GgufValue& v) {
    o.put<int32_t>(static_cast<int32_t>(v.type));
    switch (v.type) {
    case GgufValueType::STRING: o.str(std::get<std::string>(v.data)); break;
    case GgufValueType::F32: o.put<float>(numeric<float>(v)); break;
    case GgufValueType::F64: o.put<double>(numeric<double>(v)); break;
    case GgufValueType::ARRAY: {
        const auto& a = std::get<GgufArray>(v.data);
        o.put<int32_t>(static_cast<int32_t>(a.elem_type));
        o.put<uint64_t>(a.size());
        if (a.elem_type == GgufValueType::STRING) {
            for (const auto& s : a.strings) o.str(s);
        } else if (a.elem_type == GgufValueType::F32) {
            for (double d : a.floats) o.put<float>(static_cast<float>(d));
        } else if (a.elem_type == GgufValueType::F64) {
            for (double d : a.floats) o.put<double>(d);
        } else {
            for (int64_t i : a.ints) put_element(o, a.elem_type, i);
        }
        break;
    }
    default: put_element(o, v.type, numeric<int64_t>(v)); break;
    }
}

GgufValue scalar(GgufValueType t, std::variant<int64_t, uint64_t, double, bool, std::string, GgufArray> d) {
    GgufValue v;
    v.type = t;
    v.data = std::move(d);
    return v;
}

}  // namespace

void GgufWriter::set_alignment(uint32_t alignment) {
    if (alignment == 0 || (alignment & (alignment - 1)) != 0)
        throw Error("GGUF writer: alignment " + std::to_string(alignment) + " is not a power of two");
    alignment_ = alignment;
    add_u32("general.alignment", alignment);
}

void GgufWriter::add_value(const std::string& key, const GgufValue& v) {
    for (auto& kv : kv_)
        if (kv.first == key) {
            kv.second = v;
            return;
        }
    kv_.emplace_back(key, v);
}

void GgufWriter::add_string(const std::string& key, const std::string& v) {
    add_value(key, scalar(GgufValueType::STRING, v));
}
void GgufWriter::add_u32(const std::string& key, uint32_t v) {
    add_value(key, scalar(GgufValueType::U32, uint64_t{v}));
}
void GgufWriter::add_i32(const std::string& key, int32_t v) {
    add_value(key, scalar(GgufValueType::I32, int64_t{v}));
}
void GgufWriter::add_u64(const std::string& key, uint64_t v) {
    add_value(key, scalar(GgufValueType::U64, v));
}
void GgufWriter::add_f32(const std::string& key, float v) {
    add_value(key, scalar(GgufValueType::F32, double{v}));
}
void GgufWriter::add_bool(const std::string& key, bool v) {
    add_value(key, scalar(GgufValueType::BOOL, v));
}
void GgufWriter::add_string_array(const std::string& key, const std::vector<std::string>& v) {
    GgufArray a;
    a.elem_type = GgufValueType::STRING;
    a.strings = v;
    add_value(key, scalar(GgufValueType::ARRAY, std::move(a)));
}
void GgufWriter::add_f32_array(const std::string& key, const std::vector<float>& v) {
    GgufArray a;
    a.elem_type = GgufValueType::F32;
    a.floats.assign(v.begin(), v.end());
    add_value(key, scalar(GgufValueType::ARRAY, std::move(a)));
}
void GgufWriter::add_i32_array(const std::string& key, const std::vector<int32_t>& v) {
    GgufArray a;
    a.elem_type = GgufValueType::I32;
    a.ints.assign(v.begin(), v.end());
    add_value(key, scalar(GgufValueType::ARRAY, std::move(a)));
}

uint64_t GgufWriter::check_tensor(const std::string& name, uint32_t type_id,
                                  const std::vector<int64_t>& ne) const {
    for (const auto& t : tensors_)
        if (t.name == name) throw Error("GGUF writer: duplicate tensor name '" + name + "'");
    if (ne.empty() || ne.size() > 4)
        throw Error("GGUF writer: tensor '" + name + "' must have 1 to 4 dimensions");
    const auto nb = tensor_nbytes(type_id, ne.data(), static_cast<int>(ne.size()));
    if (!nb)
        throw Error("GGUF writer: tensor '" + name + "' has a shape invalid for type " +
                    type_name(type_id));
    return *nb;
}

void GgufWriter::add_tensor(const std::string& name, uint32_t type_id, std::vector<int64_t> ne,
                            std::vector<uint8_t> data) {
    const uint64_t nb = check_tensor(name, type_id, ne);
    if (data.size() != nb)
        throw Error("GGUF writer: tensor '" + name + "' (" + type_name(type_id) + ") needs " +
                    std::to_string(nb) + " bytes, got " + std::to_string(data.size()));
    tensors_.push_back({name, type_id, std::move(ne), nb, std::move(data), nullptr});
}

void GgufWriter::add_tensor_generated(const std::string& name, uint32_t type_id,
                                      std::vector<int64_t> ne, FillFn fill) {
    const uint64_t nb = check_tensor(name, type_id, ne);
    tensors_.push_back({name, type_id, std::move(ne), nb, {}, std::move(fill)});
}

void GgufWriter::serialize(const std::function<void(const void*, size_t)>& sink) const {
    Out o(sink);
    o.bytes("GGUF", 4);
    o.put<uint32_t>(3);
    o.put<uint64_t>(tensors_.size());
    o.put<uint64_t>(kv_.size());
    uint64_t pos = 24;
    // Count header bytes as we go so the data section can be padded to the alignment.
    const auto counting = [&](const void* p, size_t n) {
        pos += n;
        sink(p, n);
    };
    Out c(counting);
    for (const auto& [key, value] : kv_) {
        c.str(key);
        put_value(c, value);
    }
    uint64_t offset = 0;
    for (const auto& t : tensors_) {
        c.str(t.name);
        c.put<uint32_t>(static_cast<uint32_t>(t.ne.size()));
        for (int64_t d : t.ne) c.put<int64_t>(d);
        c.put<uint32_t>(t.type_id);
        c.put<uint64_t>(offset);
        offset += align_up(t.nbytes, alignment_);
    }
    o.zeros(align_up(pos, alignment_) - pos);
    std::vector<uint8_t> buf;
    for (const auto& t : tensors_) {
        if (t.fill) {
            buf.assign(static_cast<size_t>(t.nbytes), 0);
            t.fill(std::span<uint8_t>(buf));
            o.bytes(buf.data(), buf.size());
        } else {
            o.bytes(t.data.data(), t.data.size());
        }
        o.zeros(align_up(t.nbytes, alignment_) - t.nbytes);
    }
}

std::vector<uint8_t> GgufWriter::to_bytes() const {
    std::vector<uint8_t> out;
    serialize([&](const void* p, size_t n) {
        const auto* b = static_cast<const uint8_t*>(p);
        out.insert(out.end(), b, b + n);
    });
    return out;
}

void GgufWriter::write(const std::string& path) const {
    static std::atomic<unsigned> counter{0};
    // Temp file in the same directory, so the final rename is atomic: readers (and other
    // processes generating the same cached file) never see a partial file.
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid()) + "-" +
                            std::to_string(counter.fetch_add(1));
    FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw Error("cannot create '" + tmp + "': " + std::strerror(errno));
    std::setvbuf(f, nullptr, _IOFBF, 1 << 20);
    bool ok = true;
    int err = 0;
    try {
        serialize([&](const void* p, size_t n) {
            if (ok && std::fwrite(p, 1, n, f) != n) {
                ok = false;
                err = errno;
            }
        });
    } catch (...) {
        std::fclose(f);
        std::remove(tmp.c_str());
        throw;
    }
    if (std::fclose(f) != 0 && ok) {
        ok = false;
        err = errno;
    }
    if (!ok) {
        std::remove(tmp.c_str());
        throw Error("cannot write '" + path + "': " + std::strerror(err));
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        err = errno;
        std::remove(tmp.c_str());
        throw Error("cannot rename '" + tmp + "' to '" + path + "': " + std::strerror(err));
    }
}

}  // namespace tern
