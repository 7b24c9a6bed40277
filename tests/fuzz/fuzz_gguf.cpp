// libFuzzer target for the GGUF reader: any byte string must either parse into a file whose
// every tensor lies inside the buffer, or throw tern::Error. Parsed tensors are then decoded
// through the codecs, so out-of-range reads show up under ASan.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "engine/base/error.h"
#include "engine/tensor/float_codecs.h"
#include "engine/tensor/ternary_codecs.h"

namespace {

void touch_tensor(const tern::GgufFile& f, const tern::GgufTensorInfo& t) {
    const auto bytes = f.tensor_bytes(t);
    if (bytes.empty()) return;
    volatile uint8_t sink = bytes.front() ^ bytes.back();
    (void)sink;
    const int64_t n = t.n_elements();
    if (n <= 0 || n > (1 << 16)) return;  // keep each input fast
    const int64_t cols = t.ne[0], rows = n / cols;
    std::vector<float> out(static_cast<size_t>(cols));
    std::vector<int8_t> trits(static_cast<size_t>(cols));
    std::vector<float> scales(static_cast<size_t>(cols / 256 + 1));
    const uint64_t row_bytes = t.nbytes / static_cast<uint64_t>(rows);
    try {
        for (int64_t r = 0; r < rows; ++r) {
            switch (static_cast<tern::GgmlType>(t.type_id)) {
            case tern::GgmlType::TQ2_0:
                tern::tq2_0_unpack_row(bytes.data() + r * row_bytes, cols, trits.data(), scales.data());
                break;
            case tern::GgmlType::TQ1_0:
                tern::tq1_0_unpack_row(bytes.data() + r * row_bytes, cols, trits.data(), scales.data());
                break;
            case tern::GgmlType::I2_S:
                tern::i2_s_unpack_row(bytes.data(), r, cols, trits.data());
                if (r == 0) (void)tern::i2_s_scale(bytes.data(), rows, cols);
                break;
            default:
                if (!tern::is_float_decodable(t.type_id)) return;
                tern::dequantize_row(t.type_id, bytes.data() + r * row_bytes, cols, out.data());
            }
        }
    } catch (const tern::Error&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        auto f = tern::GgufFile::from_bytes(std::span<const uint8_t>(data, size));
        for (const auto& [key, value] : f->metadata()) {
            // Typed getters on every key: either a value or a FormatError, never a crash.
            try { (void)f->get_int(key); } catch (const tern::Error&) {}
            try { (void)f->get_float(key); } catch (const tern::Error&) {}
            try { (void)f->get_string(key); } catch (const tern::Error&) {}
            try { (void)f->get_bool(key); } catch (const tern::Error&) {}
            try { (void)f->get_array(key); } catch (const tern::Error&) {}
        }
        for (const auto& t : f->tensors()) {
            if (f->find_tensor(t.name) != &t) __builtin_trap();  // index must be consistent
            if (f->data_offset() + t.offset + t.nbytes > f->file_size()) __builtin_trap();
            touch_tensor(*f, t);
        }
    } catch (const tern::Error&) {
    }
    return 0;
}
