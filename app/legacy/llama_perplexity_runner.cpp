#include "app/legacy/llama_perplexity_runner.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/uuid/name_generator_sha1.hpp>
#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/string_generator.hpp>
#include <boost/uuid/uuid_io.hpp>
#include <nlohmann/json.hpp>

#include "app/legacy/llama_perplexity_parser.h"
#include "app/system/child_process.h"
#include "app/system/host_info.h"
#include "app/system/model_file.h"
#include "app/system/sha256.h"
#include "db/timestamps.h"
#include "engine/model/model.h"
#include "engine/base/thread_pool.h"

namespace bench {
namespace {

int resolved_threads(const LlamaPerplexityRunSpec& s) {
    return s.threads > 0 ? s.threads : std::max(1, tern::ThreadPool::physical_cores());
}

std::string file_text_sha256(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return sys::sha256_hex(ss.str());
}

void add_chunk_samples(tbdb::RunRecord& run, const LlamaPerplexityResult& r) {
    if (!r.chunk_ppl.empty()) run.samples.push_back({"chunk_ppl", "", r.chunk_ppl});
}

}  // namespace

std::string detect_perplexity_implementation(const std::string& ternary_type) {
    std::string t = ternary_type;
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return char(std::toupper(c)); });
    return (t == "I2_S" || t == "TL1" || t == "TL2") ? "bitnet.cpp" : "llama.cpp";
}

std::vector<std::string> llama_perplexity_args(const LlamaPerplexityRunSpec& spec) {
    std::vector<std::string> a = {"-m", spec.model_path, "-c", std::to_string(spec.ctx), "-b", std::to_string(spec.ctx),
                                  "-t", std::to_string(resolved_threads(spec))};
    if (!spec.text_file.empty()) a.insert(a.end(), {"-f", spec.text_file});
    if (spec.chunks > 0) a.insert(a.end(), {"--chunks", std::to_string(spec.chunks)});
    if (!spec.kl_base.empty()) a.insert(a.end(), {"--kl-divergence-base", spec.kl_base, "--kl-divergence"});
    else if (!spec.write_kl_base.empty()) a.insert(a.end(), {"--kl-divergence-base", spec.write_kl_base});
    a.insert(a.end(), spec.extra_args.begin(), spec.extra_args.end());
    return a;
}

LlamaPerplexityOutcome run_llama_perplexity(const LlamaPerplexityRunSpec& spec, tbdb::RunStore& store,
                                            const std::atomic<bool>* cancel) {
    LlamaPerplexityOutcome out;
    tbdb::RunRecord& run = out.run;
    run.uuid = boost::uuids::to_string(boost::uuids::random_generator()());
    run.started_at = tbdb::utc_timestamp_now();
    run.workload = "perplexity";
    run.threads = resolved_threads(spec);
    run.host = sys::collect_host_info();
    run.model.path = spec.model_path;
    run.source = "baseline:" + spec.program;
    nlohmann::json config = {{"program", spec.program},   {"model_path", spec.model_path},
                             {"text_file", spec.text_file}, {"ppl_ctx", spec.ctx},
                             {"ppl_chunks", spec.chunks},  {"threads", run.threads},
                             {"kl_base", spec.kl_base},    {"write_kl_base", spec.write_kl_base},
                             {"timeout_s", spec.timeout_s}, {"args", llama_perplexity_args(spec)}};
    auto finish = [&](const std::string& error, bool input_error,
                      tbdb::RunStatus failed_as = tbdb::RunStatus::Failed) {
        run.finished_at = tbdb::utc_timestamp_now();
        run.config_json = config.dump();
        if (run.implementation.empty())
            run.implementation = spec.implementation.empty() ? "llama-perplexity" : spec.implementation;
        run.status = error.empty() ? tbdb::RunStatus::Completed : failed_as;
        run.error = error;
        out.error = error;
        out.input_error = input_error;
        run.id = store.insert_run(run);
        return out;
    };

    if (sys::find_program(spec.program).empty())
        return finish("llama-perplexity program not found or not executable: " + spec.program, true);
    if (!std::filesystem::exists(spec.model_path)) return finish("model file not found: " + spec.model_path, true);
    if (!spec.text_file.empty() && !std::filesystem::exists(spec.text_file))
        return finish("text file not found: " + spec.text_file, true);
    if (spec.text_file.empty() && spec.kl_base.empty())
        return finish("llama-perplexity needs a text file (--text) unless it reads a KL base", true);
    if (!spec.kl_base.empty() && !std::filesystem::exists(spec.kl_base))
        return finish("KL base file not found: " + spec.kl_base, true);

    // What the model is, for grouping with the engine's runs of the same file.
    try {
        const auto info = tern::Model::inspect(spec.model_path);
        run.model.arch = info.hparams.arch_name;
        run.model.ternary_type = info.ternary_type;
        run.model.n_params = info.n_params;
        run.model.size_bytes = int64_t(info.file_bytes);
    } catch (const std::exception&) {
        // An arch or type the engine does not read may still run in the legacy program.
    }
    try {
        run.model.sha256 = sys::file_sha256(spec.model_path);
    } catch (const std::exception&) {
    }
    if (!spec.text_file.empty()) {
        config["text"] = spec.text_file;
        config["text_sha256"] = file_text_sha256(spec.text_file);
    }
    run.implementation =
        spec.implementation.empty() ? detect_perplexity_implementation(run.model.ternary_type) : spec.implementation;

    const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(spec.timeout_s * 1000));
    const auto res = sys::run_child(spec.program, llama_perplexity_args(spec), timeout, cancel);
    auto stderr_tail = [&res] {
        std::string e = res.err.size() > 600 ? res.err.substr(res.err.size() - 600) : res.err;
        return e.empty() ? std::string() : "; stderr: " + e;
    };
    if (res.cancelled) return finish(spec.program + " " + res.describe(), false, tbdb::RunStatus::Cancelled);
    if (!res.ok()) return finish(spec.program + " " + res.describe() + stderr_tail(), false);
    try {
        const auto parsed = parse_llama_perplexity(res.err + "\n" + res.out, spec.program + " output");
        parsed.add_metrics(run.metrics);
        add_chunk_samples(run, parsed);
        if (!parsed.commit.empty()) run.impl_version = parsed.commit;
        if (parsed.n_chunk) config["n_chunk"] = *parsed.n_chunk;
        if (parsed.n_ctx) config["ppl_ctx"] = *parsed.n_ctx;
    } catch (const LlamaPerplexityError& e) {
        return finish(std::string("could not read the output of ") + spec.program + ": " + e.what() + stderr_tail(),
                      false);
    }
    return finish({}, false);
}

tbdb::RunRecord llama_perplexity_log_to_run(const std::string& text, const std::string& origin,
                                            const std::string& implementation) {
    const auto parsed = parse_llama_perplexity(text, origin);
    tbdb::RunRecord run;
    // Name-based on the content, so importing the same log twice is detectable.
    const auto ns = boost::uuids::string_generator()("0b7c2f4e-5a61-4d8e-9c3b-71e2a4d9f058");
    run.uuid = boost::uuids::to_string(boost::uuids::name_generator_sha1(ns)(text));
    run.status = tbdb::RunStatus::Completed;
    run.workload = "perplexity";
    run.implementation = implementation.empty() ? "llama.cpp" : implementation;
    run.impl_version = parsed.commit;
    run.threads = parsed.threads.value_or(0);
    run.source = "import:" + origin;
    nlohmann::json config = {{"log", origin}};
    if (parsed.n_ctx) config["ppl_ctx"] = *parsed.n_ctx;
    if (parsed.n_chunk) config["n_chunk"] = *parsed.n_chunk;
    run.config_json = config.dump();
    parsed.add_metrics(run.metrics);
    add_chunk_samples(run, parsed);
    return run;
}

}  // namespace bench
