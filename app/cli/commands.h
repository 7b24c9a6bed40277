#pragma once
// The subcommands behind cli.cpp's parser, one function each; they return an ExitCode.
#include <cstdint>
#include <string>
#include <vector>

#include "app/core/benchmark_spec.h"
#include "app/server/serve_options.h"

namespace bench::cli {

struct RunArgs {
    BenchmarkSpec spec;
    std::string db;
    bool json = false;
};
int cmd_run(const RunArgs& a);
// No subcommand, no display: a short benchmark of a demo model; one combined report at the end.
int cmd_default_run(const std::string& db, const std::string& preset = "small");

struct HistoryArgs {
    std::string db;
    bool json = false;
    std::string workload;
    int last = 0;
    std::vector<std::string> refs;   // show: 1, compare: 2
};
int cmd_list(const HistoryArgs& a);
int cmd_show(const HistoryArgs& a);
int cmd_compare(const HistoryArgs& a);
int cmd_db_check(const std::string& db);

struct ExportArgs {
    std::string db, format, out, runs, workload, baseline;
    int last = 0;
};
int cmd_export(const ExportArgs& a);
int cmd_import(const std::string& db, const std::string& file, const std::string& format,
               const std::string& implementation);

struct BaselineRunArgs {
    std::string db, program, model, implementation;
    int n_prompt = 512, n_gen = 128, threads = 0, reps = 5;
    // llama-perplexity instead of llama-bench
    std::string perplexity_program, text_file, kl_base, write_kl_base;
    int ctx = 512, chunks = 0;
    double timeout_s = 3600;
    bool json = false;
    std::vector<std::string> extra_args;   // after `--`, passed to the program as given
};
int cmd_baseline_run(const BaselineRunArgs& a);
// `baseline run --llama-server`: the latency workload against a llama-server started here.
struct BaselineServerArgs {
    std::string db, program, implementation;
    BenchmarkSpec spec;
    double health_timeout_s = 300;
    int port = 0;
    bool json = false;
    std::vector<std::string> extra_args;   // after `--`, passed to the server as given
};
int cmd_baseline_server_run(const BaselineServerArgs& a);
int cmd_baseline_pin(const std::string& db, const std::string& ref);
int cmd_baseline_list(const std::string& db, bool json);

int cmd_model_info(const std::string& file, bool json);
int cmd_tokenize(const std::string& model, const std::string& text, bool bos, bool json);
// json: every logit of each position as JSON; else the highest few per position as text.
int cmd_logits(const std::string& model, const std::string& tokens, bool all_positions,
               const std::string& kernel, int threads, bool json);
struct GenerateArgs {
    std::string model, prompt, kernel = "auto";
    int n = 64, top_k = 0, threads = 0;
    float temperature = 0.7f, top_p = 0.9f;
    uint64_t seed = 42;
    bool stream = false;
};
int cmd_generate(const GenerateArgs& a);
int cmd_demo_model(const std::string& preset, const std::string& type, const std::string& arch,
                   uint64_t seed, const std::string& out);

struct ServeArgs {
    std::string model, preset = "small", type = "i2_s", arch = "bitnet-b1.58", kernel = "auto";
    server::ServeOptions options;
};
int cmd_serve(const ServeArgs& a);

std::string version_text();

}  // namespace bench::cli
