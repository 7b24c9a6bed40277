#pragma once
// llama-perplexity's KL-divergence base file (FORMATS.md section 8), read and written
// bit-compatibly: "_logits_", int32 n_ctx, n_vocab, n_chunk, int32 tokens[n_chunk * n_ctx], then
// one record per scored position (n_ctx - 1 - n_ctx / 2 per chunk) of record_u16() uint16:
// float32 scale, float32 min_log_prob, n_vocab quantized log-probabilities, zero padding.
// A base can be many GB: the reader streams records one at a time and never holds the file.
#include <cstdint>
#include <cstring>
#include <fstream>
#include <span>
#include <string>
#include <vector>

#include "app/core/input_error.h"

namespace bench {

// A base file that cannot be used (missing, wrong magic, truncated, inconsistent header).
struct KlBaseError : InputError {
    using InputError::InputError;
};

struct KlBaseHeader {
    int32_t n_ctx = 0, n_vocab = 0, n_chunk = 0;

    // Scored positions per chunk: first = n_ctx / 2, positions first .. n_ctx - 2.
    int64_t scored_per_chunk() const { return n_ctx - 1 - n_ctx / 2; }
    // uint16 per record: n_vocab rounded up to even, plus the two floats.
    int64_t record_u16() const { return 2 * ((int64_t(n_vocab) + 1) / 2) + 4; }
    int64_t header_bytes() const { return 8 + 3 * 4 + int64_t(n_ctx) * n_chunk * 4; }
    int64_t expected_file_bytes() const {
        return header_bytes() + int64_t(n_chunk) * scored_per_chunk() * record_u16() * 2;
    }
};

// One row of logits to a record, exactly as llama-perplexity's log_softmax does it (float max
// and min, min clamped to max - 16, double sum of expf, round-half-even of (logit - min) /
// scale). Returns the NLL of `next` that llama-perplexity accumulates. record.size() must be
// KlBaseHeader::record_u16() for this n_vocab.
float encode_log_probs(std::span<const float> logits, int32_t next, std::span<uint16_t> record);

class KlBaseReader {
public:
    // Reads and checks the header and the token block; the size must match the header exactly
    // (a truncated file is refused before any evaluation). Throws KlBaseError.
    explicit KlBaseReader(const std::string& path);

    const KlBaseHeader& header() const { return header_; }
    const std::vector<int32_t>& tokens() const { return tokens_; }
    const std::string& path() const { return path_; }
    // The next record in file order (chunk by chunk, position by position). Throws KlBaseError
    // on a read error or past the last record.
    void next_record(std::vector<uint16_t>& record);

private:
    std::string path_;
    std::ifstream in_;
    KlBaseHeader header_;
    std::vector<int32_t> tokens_;
    int64_t records_read_ = 0;
};

class KlBaseWriter {
public:
    // Writes to `path + ".part"` and renames it to path in finish(), so a failed or cancelled
    // run never leaves a base file that looks complete. Throws KlBaseError.
    KlBaseWriter(const std::string& path, const KlBaseHeader& header, std::span<const int32_t> tokens);
    ~KlBaseWriter();   // removes the .part file unless finish() succeeded

    void write_record(std::span<const uint16_t> record);
    // Checks that every record was written, flushes, renames. Throws KlBaseError.
    void finish();

private:
    std::string path_, part_path_;
    std::ofstream out_;
    KlBaseHeader header_;
    int64_t records_written_ = 0;
    bool finished_ = false;
};

// The two floats at the head of a record; log p of token i = scale * q[i] + min_log_prob,
// with q = record[4 + i]. (The file is little-endian, like every host the engine supports.)
inline float record_scale(std::span<const uint16_t> record) {
    float f;
    std::memcpy(&f, record.data(), 4);
    return f;
}
inline float record_min_log_prob(std::span<const uint16_t> record) {
    float f;
    std::memcpy(&f, record.data() + 2, 4);
    return f;
}

}  // namespace bench
