#include "app/fidelity/kl_base_file.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace bench {
namespace {

constexpr char kMagic[8] = {'_', 'l', 'o', 'g', 'i', 't', 's', '_'};
// Far above any real model (vocabularies of ~10^5, contexts of ~10^5), low enough that the
// size arithmetic below cannot overflow.
constexpr int32_t kMaxField = 1 << 24;

// ggml's float-to-int rounding trick (adding 1.5 * 2^23 rounds half to even), used by
// llama-perplexity so the quantized values agree bit for bit.
int nearest_int(float fval) {
    const float val = fval + 12582912.f;
    int32_t i;
    std::memcpy(&i, &val, sizeof i);
    return (i & 0x007fffff) - 0x00400000;
}

std::string bytes_text(int64_t n) { return std::to_string(n) + " bytes"; }

}  // namespace

float encode_log_probs(std::span<const float> logits, int32_t next, std::span<uint16_t> record) {
    const size_t n_vocab = logits.size();
    float max_logit = logits[0], min_logit = logits[0];
    for (size_t i = 1; i < n_vocab; ++i) {
        max_logit = std::max(max_logit, logits[i]);
        min_logit = std::min(min_logit, logits[i]);
    }
    min_logit = std::max(min_logit, max_logit - 16);
    double sum_exp = 0.0;
    for (size_t i = 0; i < n_vocab; ++i) sum_exp += std::exp(logits[i] - max_logit);
    const float log_sum_exp = static_cast<float>(std::log(sum_exp));
    const float min_log_prob = min_logit - max_logit - log_sum_exp;
    const float scale = (max_logit - min_logit) / 65535.f;
    std::fill(record.begin(), record.end(), uint16_t(0));
    std::memcpy(record.data(), &scale, 4);
    std::memcpy(record.data() + 2, &min_log_prob, 4);
    if (scale != 0.0f) {
        const float inv_scale = 1 / scale;
        uint16_t* q = record.data() + 4;
        for (size_t i = 0; i < n_vocab; ++i)
            q[i] = logits[i] > min_logit ? static_cast<uint16_t>(nearest_int(inv_scale * (logits[i] - min_logit))) : 0;
    }
    return max_logit + log_sum_exp - logits[static_cast<size_t>(next)];
}

KlBaseReader::KlBaseReader(const std::string& path) : path_(path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw KlBaseError("KL base file not found: " + path);
    const auto file_bytes = static_cast<int64_t>(std::filesystem::file_size(path, ec));
    if (ec) throw KlBaseError("KL base file " + path + ": cannot read its size: " + ec.message());
    in_.open(path, std::ios::binary);
    if (!in_) throw KlBaseError("KL base file " + path + ": cannot be opened for reading");
    char magic[8] = {};
    in_.read(magic, 8);
    if (!in_ || std::memcmp(magic, kMagic, 8) != 0)
        throw KlBaseError("KL base file " + path +
                          ": wrong magic (expected \"_logits_\", as llama-perplexity --kl-divergence-base writes)");
    int32_t fields[3] = {};
    in_.read(reinterpret_cast<char*>(fields), sizeof fields);
    if (!in_) throw KlBaseError("KL base file " + path + ": truncated header (" + bytes_text(file_bytes) + ")");
    header_ = {fields[0], fields[1], fields[2]};
    if (header_.n_ctx < 2 || header_.n_ctx > kMaxField || header_.n_vocab < 1 || header_.n_vocab > kMaxField ||
        header_.n_chunk < 1 || header_.n_chunk > kMaxField)
        throw KlBaseError("KL base file " + path + ": implausible header (n_ctx " + std::to_string(header_.n_ctx) +
                          ", n_vocab " + std::to_string(header_.n_vocab) + ", n_chunk " +
                          std::to_string(header_.n_chunk) + ")");
    const int64_t expected = header_.expected_file_bytes();
    if (file_bytes < expected)
        throw KlBaseError("KL base file " + path + " is truncated: " + bytes_text(file_bytes) + ", its header (n_ctx " +
                          std::to_string(header_.n_ctx) + ", n_vocab " + std::to_string(header_.n_vocab) +
                          ", " + std::to_string(header_.n_chunk) + " chunks) needs " + bytes_text(expected));
    if (file_bytes > expected)
        throw KlBaseError("KL base file " + path + " has " + bytes_text(file_bytes - expected) +
                          " more than its header (n_ctx " + std::to_string(header_.n_ctx) + ", n_vocab " +
                          std::to_string(header_.n_vocab) + ", " + std::to_string(header_.n_chunk) +
                          " chunks) describes: not a llama-perplexity base of this layout");
    tokens_.resize(static_cast<size_t>(header_.n_ctx) * static_cast<size_t>(header_.n_chunk));
    in_.read(reinterpret_cast<char*>(tokens_.data()), static_cast<std::streamsize>(tokens_.size() * 4));
    if (!in_) throw KlBaseError("KL base file " + path + ": read error in the token block");
}

void KlBaseReader::next_record(std::vector<uint16_t>& record) {
    if (records_read_ >= int64_t(header_.n_chunk) * header_.scored_per_chunk())
        throw KlBaseError("KL base file " + path_ + ": no more records (all " + std::to_string(records_read_) +
                          " read)");
    record.resize(static_cast<size_t>(header_.record_u16()));
    in_.read(reinterpret_cast<char*>(record.data()), static_cast<std::streamsize>(record.size() * 2));
    if (!in_)
        throw KlBaseError("KL base file " + path_ + ": read error at record " + std::to_string(records_read_) +
                          " (the file changed while it was read?)");
    ++records_read_;
}

KlBaseWriter::KlBaseWriter(const std::string& path, const KlBaseHeader& header, std::span<const int32_t> tokens)
    : path_(path), part_path_(path + ".part"), header_(header) {
    if (int64_t(tokens.size()) != int64_t(header.n_ctx) * header.n_chunk)
        throw KlBaseError("KL base " + path + ": " + std::to_string(tokens.size()) + " tokens for " +
                          std::to_string(header.n_chunk) + " chunks of " + std::to_string(header.n_ctx));
    out_.open(part_path_, std::ios::binary | std::ios::trunc);
    if (!out_) throw KlBaseError("KL base file " + part_path_ + ": cannot be created");
    out_.write(kMagic, 8);
    const int32_t fields[3] = {header.n_ctx, header.n_vocab, header.n_chunk};
    out_.write(reinterpret_cast<const char*>(fields), sizeof fields);
    out_.write(reinterpret_cast<const char*>(tokens.data()), static_cast<std::streamsize>(tokens.size() * 4));
    if (!out_) throw KlBaseError("KL base file " + part_path_ + ": write error");
}

KlBaseWriter::~KlBaseWriter() {
    if (finished_) return;
    out_.close();
    std::error_code ec;
    std::filesystem::remove(part_path_, ec);
}

void KlBaseWriter::write_record(std::span<const uint16_t> record) {
    if (int64_t(record.size()) != header_.record_u16())
        throw KlBaseError("KL base record of " + std::to_string(record.size()) + " values, expected " +
                          std::to_string(header_.record_u16()));
    out_.write(reinterpret_cast<const char*>(record.data()), static_cast<std::streamsize>(record.size() * 2));
    if (!out_) throw KlBaseError("KL base file " + part_path_ + ": write error (disk full?)");
    ++records_written_;
}

void KlBaseWriter::finish() {
    const int64_t want = int64_t(header_.n_chunk) * header_.scored_per_chunk();
    if (records_written_ != want)
        throw KlBaseError("KL base " + path_ + ": " + std::to_string(records_written_) + " of " +
                          std::to_string(want) + " records written");
    out_.flush();
    out_.close();
    if (!out_) throw KlBaseError("KL base file " + part_path_ + ": write error on close");
    std::error_code ec;
    std::filesystem::rename(part_path_, path_, ec);
    if (ec) throw KlBaseError("KL base file " + path_ + ": cannot rename from .part: " + ec.message());
    finished_ = true;
}

}  // namespace bench
