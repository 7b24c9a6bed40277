#pragma once
// SHA-256 (FIPS 180-4), streaming. Used to identify model files in the run history.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace bench::sys {

class Sha256 {
public:
    Sha256();
    void update(const void* data, size_t n);
    std::array<uint8_t, 32> finish();
    std::string finish_hex();

private:
    void block(const uint8_t* p);
    std::array<uint32_t, 8> h_;
    std::array<uint8_t, 64> buf_{};
    size_t buf_len_ = 0;
    uint64_t total_ = 0;
};

std::string sha256_hex(const std::string& bytes);

}  // namespace bench::sys
