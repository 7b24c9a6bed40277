#pragma once
// Helpers shared by the model / session / generation test suites (header only).
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"

namespace tbtest {

// A fixture file from tests/fixtures, else from the shared fixtures, else "" (skip).
inline std::string fixture_path(const std::string& name) {
    for (const char* dir : {TB_FIXTURES_DIR, TB_SHARED_FIXTURES_DIR}) {
        const std::string p = std::string(dir) + "/" + name;
        if (std::filesystem::exists(p)) return p;
    }
    return {};
}

struct Compare {
    double cosine = 0, rel_rms = 0;
    int argmax_e = 0, argmax_r = 0;
    double margin_r = 0;  // reference top1 - top2
};

inline Compare compare_logits(std::span<const float> e, std::span<const float> r) {
    Compare c;
    double dot = 0, ne = 0, nr = 0, diff = 0;
    for (size_t i = 0; i < r.size(); ++i) {
        dot += double(e[i]) * r[i];
        ne += double(e[i]) * e[i];
        nr += double(r[i]) * r[i];
        diff += (double(e[i]) - r[i]) * (double(e[i]) - r[i]);
    }
    c.cosine = dot / std::sqrt(ne * nr + 1e-30);
    c.rel_rms = std::sqrt(diff / (nr + 1e-30));
    float top1 = -INFINITY, top2 = -INFINITY;
    for (size_t i = 0; i < r.size(); ++i) {
        if (r[i] > top1) { top2 = top1; top1 = r[i]; c.argmax_r = int(i); }
        else if (r[i] > top2) top2 = r[i];
        if (e[i] > e[c.argmax_e]) c.argmax_e = int(i);
    }
    c.margin_r = double(top1) - top2;
    return c;
}

// Copies a GGUF file into a writer, letting `edit_kv` / `keep_tensor` change it on the way
// (for building bad files from a good one).
inline void rewrite_gguf(const std::string& src, const std::string& dst,
                         const std::function<void(tern::GgufWriter&)>& edit_kv,
                         const std::function<bool(tern::GgufTensorInfo&)>& keep_tensor = {}) {
    auto f = tern::GgufFile::open(src);
    tern::GgufWriter w;
    for (const auto& [k, v] : f->metadata())
        if (k != "general.alignment") w.add_value(k, v);
    edit_kv(w);
    for (tern::GgufTensorInfo t : f->tensors()) {
        const auto bytes = f->tensor_bytes(t);
        if (keep_tensor && !keep_tensor(t)) continue;
        std::vector<uint8_t> data(bytes.begin(), bytes.end());
        w.add_tensor(t.name, t.type_id, t.ne, std::move(data));
    }
    w.write(dst);
}

}  // namespace tbtest
