// Engine tools: model info, tokenize, logits, generate, demo-model (issue 3's CLI).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "app/metrics/request_metrics.h"
#include "engine/demo/demo_model.h"
#include "engine/gguf/gguf_file.h"
#include "engine/model/model.h"
#include "engine/base/error.h"
#include "engine/runtime/generate.h"
#include "engine/runtime/session.h"
#include "engine/tokenizer/tokenizer.h"

namespace bench::cli {
namespace {

bool check_file(const std::string& path, const char* cmd) {
    if (std::filesystem::exists(path)) return true;
    std::cerr << "ternbench " << cmd << ": file not found: " << path << "\n";
    return false;
}

}  // namespace

int cmd_model_info(const std::string& file, bool json) {
    if (!check_file(file, "model info")) return kInputError;
    tern::ModelInfo info;
    try {
        info = tern::Model::inspect(file);
    } catch (const std::exception& e) {
        std::cerr << "ternbench model info: " << e.what() << "\n";
        return kInputError;
    }
    const auto& h = info.hparams;
    if (json) {
        nlohmann::json tensors = nlohmann::json::array();
        for (const auto& t : info.tensors)
            tensors.push_back({{"name", t.name}, {"type", t.type}, {"ne", t.ne}, {"bytes", t.bytes}});
        nlohmann::json j = {
            {"path", info.path}, {"supported", info.supported},
            {"arch", h.arch_name}, {"ternary_type", info.ternary_type},
            {"embedding_type", info.embedding_type}, {"tokenizer", info.tokenizer_model},
            {"n_params", info.n_params}, {"file_bytes", info.file_bytes},
            {"hparams", {{"n_vocab", h.n_vocab}, {"n_ctx_train", h.n_ctx_train}, {"n_embd", h.n_embd},
                         {"n_layer", h.n_layer}, {"n_ff", h.n_ff}, {"n_head", h.n_head},
                         {"n_head_kv", h.n_head_kv}, {"head_dim", h.head_dim}, {"rope_dim", h.rope_dim},
                         {"rope_base", h.rope_base}, {"rms_eps", h.rms_eps},
                         {"activation", h.act == tern::Activation::Silu ? "silu" : "relu_squared"}}},
            {"tensors", tensors}};
        if (!info.supported) j["unsupported_reason"] = info.unsupported_reason;
        std::cout << j.dump(2) << std::endl;
        return kOk;
    }
    std::printf("file:        %s (%llu bytes)\n", info.path.c_str(), (unsigned long long)info.file_bytes);
    std::printf("supported:   %s%s%s\n", info.supported ? "yes" : "no", info.supported ? "" : ": ",
                info.unsupported_reason.c_str());
    std::printf("arch:        %s (%s)\n", h.arch_name.c_str(), h.act == tern::Activation::Silu ? "SiLU" : "ReLU squared");
    std::printf("params:      %lld\n", (long long)info.n_params);
    std::printf("weights:     %s, token_embd %s\n", info.ternary_type.c_str(), info.embedding_type.c_str());
    std::printf("tokenizer:   %s, vocab %lld\n", info.tokenizer_model.c_str(), (long long)h.n_vocab);
    std::printf("shape:       embd %lld, layers %lld, ffn %lld, heads %lld (kv %lld, dim %lld), ctx %lld\n",
                (long long)h.n_embd, (long long)h.n_layer, (long long)h.n_ff, (long long)h.n_head,
                (long long)h.n_head_kv, (long long)h.head_dim, (long long)h.n_ctx_train);
    std::printf("rope base %g, rms eps %g\ntensors (%zu):\n", h.rope_base, h.rms_eps, info.tensors.size());
    for (const auto& t : info.tensors) {
        std::string ne;
        for (auto d : t.ne) ne += (ne.empty() ? "" : " x ") + std::to_string(d);
        std::printf("  %-32s %-6s %-20s %llu bytes\n", t.name.c_str(), t.type.c_str(), ne.c_str(),
                    (unsigned long long)t.bytes);
    }
    return kOk;
}

int cmd_tokenize(const std::string& model, const std::string& text, bool bos, bool json) {
    if (!check_file(model, "tokenize")) return kInputError;
    std::vector<int32_t> ids;
    try {
        // The vocabulary alone: no need to load (and repack) the weights.
        auto file = tern::GgufFile::open(model);
        auto tok = tern::Tokenizer::create(tern::read_vocab(*file));
        ids = tok->encode(text, bos);
    } catch (const std::exception& e) {
        std::cerr << "ternbench tokenize: " << e.what() << "\n";
        return kInputError;
    }
    if (json) {
        std::cout << nlohmann::json{{"ids", ids}}.dump() << std::endl;
    } else {
        for (size_t i = 0; i < ids.size(); ++i) std::cout << (i ? " " : "") << ids[i];
        std::cout << std::endl;
    }
    return kOk;
}

int cmd_logits(const std::string& model_path, const std::string& tokens_text, bool all_positions,
               const std::string& kernel, int threads, bool json) {
    if (!check_file(model_path, "logits")) return kInputError;
    std::vector<int32_t> tokens;
    {
        std::string t = tokens_text;
        for (char& c : t) if (c == ',') c = ' ';
        std::istringstream in(t);
        std::string item;
        while (in >> item) {
            try {
                size_t used = 0;
                long long v = std::stoll(item, &used);
                if (used != item.size() || v < 0 || v > INT32_MAX) throw std::invalid_argument(item);
                tokens.push_back(static_cast<int32_t>(v));
            } catch (const std::exception&) {
                std::cerr << "ternbench logits: not a token id: " << item << "\n";
                return kUsage;
            }
        }
    }
    if (tokens.empty()) {
        std::cerr << "ternbench logits: --tokens holds no ids\n";
        return kUsage;
    }
    std::shared_ptr<const tern::Model> model;
    try {
        tern::LoadOptions lo;
        lo.kernel = kernel;
        lo.threads = threads;
        model = tern::Model::load(model_path, lo);
    } catch (const std::exception& e) {
        std::cerr << "ternbench logits: " << e.what() << "\n";
        return kInputError;
    }
    tern::SessionOptions so;
    so.threads = threads;
    so.n_ctx = std::max<int64_t>(int64_t(tokens.size()), 0);
    if (model->hparams().n_ctx_train > 0 && so.n_ctx < std::min<int64_t>(model->hparams().n_ctx_train, 4096)) so.n_ctx = 0;
    tern::Session session(model, so);
    std::span<const float> out;
    try {
        out = session.eval(tokens, all_positions);
    } catch (const std::exception& e) {
        std::cerr << "ternbench logits: " << e.what() << "\n";
        return kInputError;
    }
    const int64_t n_vocab = model->hparams().n_vocab;
    const int64_t rows = all_positions ? int64_t(tokens.size()) : 1;
    auto position_of = [&](int64_t row) { return all_positions ? row : int64_t(tokens.size()) - 1; };
    if (json) {
        nlohmann::json positions = nlohmann::json::array(), logits = nlohmann::json::array();
        for (int64_t r = 0; r < rows; ++r) {
            positions.push_back(position_of(r));
            logits.push_back(std::vector<float>(out.begin() + r * n_vocab, out.begin() + (r + 1) * n_vocab));
        }
        std::cout << nlohmann::json{{"n_vocab", n_vocab}, {"kernel", model->kernels().name},
                                    {"positions", positions}, {"logits", logits}}.dump() << std::endl;
        return kOk;
    }
    // Text: the highest logits of each position, with the token each id stands for.
    constexpr int64_t kTop = 5;
    const auto& tok = model->tokenizer();
    std::cout << model_path << ": " << tokens.size() << " token(s), n_vocab " << n_vocab << ", kernel "
              << model->kernels().name << "\n";
    for (int64_t r = 0; r < rows; ++r) {
        const float* row = out.data() + r * n_vocab;
        std::vector<int32_t> ids(static_cast<size_t>(n_vocab));
        for (int64_t i = 0; i < n_vocab; ++i) ids[static_cast<size_t>(i)] = static_cast<int32_t>(i);
        const int64_t k = std::min(kTop, n_vocab);
        std::partial_sort(ids.begin(), ids.begin() + k, ids.end(),
                          [row](int32_t a, int32_t b) { return row[a] > row[b]; });
        std::cout << "position " << position_of(r) << " (token " << tokens[static_cast<size_t>(position_of(r))]
                  << "): top " << k << "\n";
        for (int64_t i = 0; i < k; ++i) {
            const int32_t id = ids[static_cast<size_t>(i)];
            std::cout << "  " << std::setw(8) << id << "  " << std::fixed << std::setprecision(4) << std::setw(10)
                      << row[id] << "  " << nlohmann::json(tok.token_piece(id)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
            std::cout.unsetf(std::ios::floatfield);
        }
    }
    std::cout << std::flush;
    return kOk;
}

int cmd_generate(const GenerateArgs& a) {
    if (!check_file(a.model, "generate")) return kInputError;
    std::shared_ptr<const tern::Model> model;
    try {
        tern::LoadOptions lo;
        lo.kernel = a.kernel;
        lo.threads = a.threads;
        model = tern::Model::load(a.model, lo);
    } catch (const std::exception& e) {
        std::cerr << "ternbench generate: " << e.what() << "\n";
        return kInputError;
    }
    tern::SessionOptions so;
    so.threads = a.threads;
    tern::Session session(model, so);
    const auto& tok = model->tokenizer();
    const auto prompt = tok.encode(a.prompt, tok.vocab().add_bos);
    tern::GenerationParams gp;
    gp.max_tokens = a.n;
    gp.sampling.temperature = a.temperature;
    gp.sampling.top_k = a.top_k;
    gp.sampling.top_p = a.top_p;
    gp.sampling.seed = a.seed;
    tern::TokenCallback on_token;
    if (a.stream)
        on_token = [](const tern::TokenEvent& ev) {
            std::fwrite(ev.piece.data(), 1, ev.piece.size(), stdout);
            std::fflush(stdout);
        };
    tern::GenerationResult res;
    try {
        res = tern::generate(session, prompt, gp, on_token);
    } catch (const std::exception& e) {
        std::cerr << "ternbench generate: " << e.what() << "\n";
        return kRunFailed;
    }
    if (!a.stream) std::fwrite(res.text.data(), 1, res.text.size(), stdout);
    std::fputs("\n", stdout);
    std::fflush(stdout);
    const auto rec = metrics::to_request_record(res, res.submitted, 0, 0);
    const double prefill_ms = metrics::ms_between(res.submitted, res.prefill_done);
    const auto decode = metrics::decode_tok_s(rec);
    std::fprintf(stderr,
                 "prompt %d tokens, prefill %.1f ms (%.1f tok/s); generated %d tokens, TTFT %.1f ms, "
                 "decode %s tok/s, total %.1f ms; kernel %s; stop: %s\n",
                 res.prompt_tokens, prefill_ms, prefill_ms > 0 ? res.prompt_tokens / (prefill_ms / 1000) : 0.0,
                 rec.output_tokens, rec.ttft_ms.value_or(0),
                 decode ? std::to_string(*decode).substr(0, std::to_string(*decode).find('.') + 2).c_str() : "n/a",
                 rec.e2e_ms.value_or(0), model->kernels().name, tern::stop_reason_name(res.stop));
    if (res.stop == tern::StopReason::Error) {
        std::cerr << "ternbench generate: " << res.error << "\n";
        return kRunFailed;
    }
    return kOk;
}

// Where the model cannot be written, named before any work: a missing/unwritable folder or a
// folder in the file's place is an input problem (exit 3), not bad usage.
std::string output_path_problem(const std::string& out) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path folder = fs::path(out).parent_path();
    if (folder.empty()) folder = ".";
    if (fs::is_directory(out, ec)) return "cannot write " + out + ": it is a folder";
    if (!fs::is_directory(folder, ec))
        return "cannot write " + out + ": the folder " + folder.string() + " does not exist";
    if (::access(folder.c_str(), W_OK) != 0)
        return "cannot write " + out + ": the folder " + folder.string() + " is not writable";
    return {};
}

int cmd_demo_model(const std::string& preset, const std::string& type, const std::string& arch,
                   uint64_t seed, const std::string& out) {
    tern::DemoSpec spec;
    spec.preset = preset;
    spec.type = type;
    spec.arch = arch;
    spec.seed = seed;
    if (std::string problem = output_path_problem(out); !problem.empty()) {
        std::cerr << "ternbench demo-model: " << problem << "\n";
        return kInputError;
    }
    try {
        tern::write_demo_model(spec, out);
    } catch (const tern::Error& e) {
        // Unknown preset/type/arch is bad usage; a failure naming the output (disk full, a
        // folder that vanished) is an input/output problem.
        const std::string what = e.what();
        std::cerr << "ternbench demo-model: " << what << "\n";
        return what.find(out) != std::string::npos ? kInputError : kUsage;
    }
    std::cout << out << "\n";
    return kOk;
}

}  // namespace bench::cli
