#include "app/cli/cli.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <limits>
#include <map>

#include <CLI/CLI.hpp>

#include "app/cli/commands.h"
#include "app/core/engine_options.h"
#include "app/core/int_list.h"
#include "app/core/run_checks.h"
#include "app/system/child_process.h"
#include "app/workloads/load_probe.h"
#include "db/run_store.h"
#include "engine/demo/demo_model.h"

namespace bench::cli {
namespace {

const char* kThreadsHelp =
    "Compute threads (default 0 = the number of physical cores: decode is bound by memory "
    "bandwidth and prefill by the integer SIMD units, which hyper-threads share, so extra logical "
    "cores rarely help)";

bool member_of(const std::vector<std::string>& names, const std::string& v) {
    return std::find(names.begin(), names.end(), v) != names.end();
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : "|") + n;
    return out;
}

std::vector<int> int_list_flag(const std::string& text, const char* flag) {
    auto values = parse_int_list(text);
    if (!values) throw CLI::ValidationError(flag, "not a comma-separated list of integers: " + text);
    return *values;
}

// "3-258,300" -> 3..258 and 300.
std::vector<int32_t> parse_token_list(const std::string& s, const char* what) {
    std::vector<int32_t> out;
    size_t pos = 0;
    while (pos < s.size()) {
        size_t comma = s.find(',', pos);
        const std::string item = s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        const size_t dash = item.find('-', 1);
        const std::string lo_s = dash == std::string::npos ? item : item.substr(0, dash);
        const std::string hi_s = dash == std::string::npos ? item : item.substr(dash + 1);
        const auto lo = int_list_flag(lo_s, what), hi = int_list_flag(hi_s, what);
        if (lo.size() != 1 || hi.size() != 1 || lo[0] < 0 || hi[0] < lo[0] || hi[0] - lo[0] > 10'000'000)
            throw CLI::ValidationError(what, "expects token ids or ranges like 3-258,300, got '" + item + "'");
        for (int v = lo[0]; v <= hi[0]; ++v) out.push_back(v);
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return out;
}

// Flags of the latency workloads shared by `run` and `baseline run --llama-server` (the ones
// whose names do not clash with llama-bench's -p/-n).
void add_http_generation_flags(CLI::App* cmd, BenchmarkSpec& sp, std::string& forbid) {
    cmd->add_flag("--ignore-eos", sp.ignore_eos,
                  "Generate past end-of-generation tokens (every request yields --max-tokens tokens)");
    cmd->add_option("--forbid-tokens", forbid, "Token ids the sampler never picks, e.g. 3-258,300 (logit_bias)");
    cmd->add_flag("--forbid-byte-tokens", sp.forbid_byte_tokens,
                  "Forbid the vocabulary's byte tokens (demo models on llama-server: FORMATS.md section 7)");
    cmd->add_option("--request-timeout", sp.request_timeout_s,
                    "HTTP: seconds without data before a streamed request counts as stalled (default 120)");
}

// CLI11's NonNegativeNumber/PositiveNumber print "not in range 0.000000 to 1.79e308" and call
// "abc" out of range; this says what is wrong in words and rejects values an int cannot hold.
CLI::Validator int_at_least(int min) {
    return CLI::Validator(
        [min](std::string& text) -> std::string {
            long long v = 0;
            size_t used = 0;
            try {
                v = std::stoll(text, &used);
            } catch (const std::out_of_range&) {
                return "value " + text + " is too large";
            } catch (const std::exception&) {
                used = 0;
            }
            if (used == 0 || used != text.size()) return "expects an integer, got '" + text + "'";
            if (v < min) return "must be >= " + std::to_string(min) + ", got " + text;
            if (v > std::numeric_limits<int>::max()) return "value " + text + " is too large";
            return {};
        },
        min == 0 ? "INT>=0" : "INT>=" + std::to_string(min), "int_at_least");
}

// For floating-point options such as --timeout: a number > 0.
CLI::Validator positive_real() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            size_t used = 0;
            double v = 0;
            try {
                v = std::stod(text, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (used == 0 || used != text.size()) return "expects a number, got '" + text + "'";
            if (!(v > 0)) return "must be > 0, got " + text;
            return {};
        },
        "NUMBER>0", "positive_real");
}

// For seeds: a whole number 0 .. 2^64-1 (CLI11 would turn "-1" into 2^64-1 without a word).
CLI::Validator unsigned_integer() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
                return "expects a whole number from 0 to 18446744073709551615, got '" + text + "'";
            try {
                (void)std::stoull(text);
            } catch (const std::exception&) {
                return "value " + text + " is too large (at most 18446744073709551615)";
            }
            return {};
        },
        "UINT64", "unsigned_integer");
}

// An integer at most `max` (after int_at_least's checks).
CLI::Validator int_at_most(int max, const std::string& why) {
    return CLI::Validator(
        [max, why](std::string& text) -> std::string {
            try {
                if (std::stoll(text) > max)
                    return "must be <= " + std::to_string(max) + (why.empty() ? "" : " (" + why + ")") + ", got " + text;
            } catch (const std::exception&) {
            }
            return {};
        },
        "", "int_at_most");
}

}  // namespace

bool display_available() {
    const char* x = std::getenv("DISPLAY");
    const char* w = std::getenv("WAYLAND_DISPLAY");
    return (x && *x) || (w && *w);
}

std::optional<WindowStart> window_start(const std::vector<std::string>& args, bool has_display) {
    if (!has_display) return std::nullopt;
    WindowStart start;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        std::string* target = nullptr;
        std::string flag;
        if (a == "--db" || a.rfind("--db=", 0) == 0) {
            target = &start.db;
            flag = "--db";
        } else if (a == "--preset" || a.rfind("--preset=", 0) == 0) {
            target = &start.preset;
            flag = "--preset";
        } else {
            return std::nullopt;  // a subcommand, --help, --version or a bad flag: the CLI says
        }
        if (a.size() > flag.size()) {
            *target = a.substr(flag.size() + 1);
        } else if (i + 1 < args.size()) {
            *target = args[++i];
        } else {
            return std::nullopt;  // flag without its value: let the CLI report it
        }
    }
    return start;
}

int run(int argc, char** argv) {
    if (argc > 0 && argv[0]) {
        // Spawning ourselves (load workload) needs our own path; /proc/self/exe is the fallback.
        const std::string self = sys::self_executable();
        if (self.empty()) sys::set_self_executable(argv[0]);
    }
    CLI::App app{"ternbench: benchmarks BitNet b1.58 ternary LLM inference on CPUs.\n"
                 "With no subcommand it opens the window (when built with it and a display exists);\n"
                 "otherwise it runs the default headless benchmark on the demo model and prints a report."};
    app.set_version_flag("--version", [] { return version_text(); });
    app.footer(std::string("\nThreads: ") + kThreadsHelp +
               ".\nDatabase: --db PATH, default " + tbdb::RunStore::default_path() +
               "\nExit codes: 0 ok, 1 run failed, 2 bad usage, 3 missing/corrupt input, 4 database error, 130 cancelled.");
    app.require_subcommand(0, 1);
    std::string default_db = tbdb::RunStore::default_path();
    auto* top_db = app.add_option("--db", default_db, "SQLite database (before a subcommand: for it too)");
    const std::string presets = joined(tern::demo_presets()), types = joined(tern::demo_types()),
                      archs = joined(tern::demo_archs());
    const std::string kernel_help = "Kernel set: " + joined(kernel_choices()) + " (usable on this CPU)";
    std::string default_preset = "small";
    auto* top_preset = app.add_option("--preset", default_preset,
                                      "Demo model preset of the default headless run (no subcommand): " +
                                          presets + " (default small)");
    // `ternbench --db X list` must not silently use the default database: a subcommand without
    // its own --db takes the one given before it.
    struct SubDb {
        CLI::App* cmd;
        CLI::Option* opt;
        std::string* target;
    };
    std::vector<SubDb> sub_dbs;
    auto add_db = [&sub_dbs](CLI::App* cmd, std::string& target) {
        sub_dbs.push_back({cmd, cmd->add_option("--db", target, "SQLite database"), &target});
    };

    // run
    RunArgs ra;
    ra.db = tbdb::RunStore::default_path();
    auto* run_cmd = app.add_subcommand("run", "Run one benchmark workload and store it");
    auto& sp = ra.spec;
    std::string workloads_list;
    for (const auto& w : workload_names()) workloads_list += (workloads_list.empty() ? "" : "|") + w;
    run_cmd->add_option("--workload,-w", sp.workload, "Workload: " + workloads_list)
        ->check(CLI::IsMember(workload_names()));
    auto* model_opt = run_cmd->add_option("--model,-m", sp.model_path, "GGUF model file");
    run_cmd->add_option("--preset", sp.demo_preset, "Demo model preset (" + presets + ")")->excludes(model_opt);
    run_cmd->add_option("--type", sp.demo_type, "Demo model type (" + types + ")")->excludes(model_opt);
    run_cmd->add_option("--arch", sp.demo_arch, "Demo model arch (" + archs + ")")->excludes(model_opt);
    run_cmd->add_option("--threads,-t", sp.threads, kThreadsHelp)->check(int_at_least(0));
    run_cmd->add_option("--reps,-r", sp.repetitions, "Repetitions (default 5)")->check(int_at_least(1));
    run_cmd->add_option("--warmup", sp.warmup, "Warm-up runs, not measured (default 1)")->check(int_at_least(0));
    run_cmd->add_option("--concurrency,-c", sp.concurrency, "batch: requests at once; server: max batch")->check(int_at_least(1));
    run_cmd->add_option("--max-tokens", sp.max_tokens, "New tokens per request (0: 100 single/stream, 50 batch)")->check(int_at_least(0));
    run_cmd->add_option("--prompts-file", sp.prompts_file, "Prompts: one per line, or JSONL with \"prompt\"/\"text\"");
    run_cmd->add_option("-p,--n-prompt", sp.n_prompt, "pp: prompt tokens (default 512)")->check(int_at_least(1));
    run_cmd->add_option("-n,--n-gen", sp.n_gen, "tg: generated tokens (default 128)")->check(int_at_least(1));
    run_cmd->add_option("--temperature", sp.temperature, "Sampling temperature (default 0.7)");
    run_cmd->add_option("--top-p", sp.top_p, "Top-p (default 0.9)");
    run_cmd->add_option("--top-k", sp.top_k, "Top-k (default 0 = off)");
    run_cmd->add_option("--seed", sp.seed, "Sampling seed, 0 to 2^64-1 (default 42)")->check(unsigned_integer());
    run_cmd->add_option("--rate", sp.arrival_rate, "server: Poisson arrival rate, requests/s");
    run_cmd->add_option("--duration", sp.duration_s, "server: arrival window, seconds");
    run_cmd->add_option("--slo-ttft", sp.slo_ttft_ms, "server: TTFT SLO, ms");
    run_cmd->add_option("--slo-tpot", sp.slo_tpot_ms, "server: TPOT SLO, ms");
    std::string sweep_threads, sweep_conc;
    run_cmd->add_option("--sweep-threads", sweep_threads, "scaling: thread counts, e.g. 1,2");
    run_cmd->add_option("--sweep-concurrency", sweep_conc, "scaling: concurrencies, e.g. 1,2,4,8");
    run_cmd->add_option("--kernel", sp.kernel, kernel_help);
    run_cmd->add_option("--n-ctx", sp.n_ctx, "Context length (0: engine default)");
    std::map<std::string, KvType> kv_types;
    for (const auto& name : kv_type_names()) kv_types[name] = *kv_type_from_name(name);
    run_cmd->add_option("--kv-type", sp.kv_type, "KV cache type: f16 (default, as llama-bench) or f32")
        ->transform(CLI::CheckedTransformer(kv_types));
    run_cmd->add_option("--text", sp.text_file, "perplexity: text file (default: the built-in text)");
    run_cmd->add_option("--ctx", sp.ppl_ctx, "perplexity: tokens per chunk, as llama-perplexity -c (default 512, "
                                             "or the KL base's)")->check(int_at_least(4));
    run_cmd->add_option("--chunks", sp.ppl_chunks, "perplexity: at most this many chunks (default: all the text holds)")
        ->check(int_at_least(1));
    auto* kl_read = run_cmd->add_option("--kl-base", sp.kl_base,
                                        "perplexity: KL divergence against this llama-perplexity "
                                        "--kl-divergence-base file");
    run_cmd->add_option("--write-kl-base", sp.write_kl_base,
                        "perplexity: write a KL base file (llama-perplexity's layout)")->excludes(kl_read);
    run_cmd->add_option("--sample-interval", sp.sampler_interval_ms, "Resource sampling interval, ms (default 50)");
    run_cmd->add_option("--endpoint", sp.endpoint,
                        "Run the latency workload against this HTTP server (http://HOST:PORT), e.g. a "
                        "llama-server or `ternbench serve` you started; API key from $TERNBENCH_API_KEY");
    run_cmd->add_option("--api", sp.api, "Endpoint API: auto (default), completion (/completion) or v1 (/v1/completions)")
        ->check(CLI::IsMember({"auto", "completion", "v1"}));
    std::string run_forbid;
    add_http_generation_flags(run_cmd, sp, run_forbid);
    add_db(run_cmd, ra.db);
    run_cmd->add_flag("--json", ra.json, "Machine-readable result on stdout");

    // history
    HistoryArgs ha;
    ha.db = tbdb::RunStore::default_path();
    auto* list_cmd = app.add_subcommand("list", "List stored runs");
    list_cmd->add_option("--workload", ha.workload, "Only this workload");
    list_cmd->add_option("--last", ha.last, "Only the newest N")->check(int_at_least(1));
    add_db(list_cmd, ha.db);
    list_cmd->add_flag("--json", ha.json, "Machine-readable");
    auto* show_cmd = app.add_subcommand("show", "Show one run (id or uuid)");
    show_cmd->add_option("run", ha.refs, "Run id or uuid")->required()->expected(1);
    add_db(show_cmd, ha.db);
    show_cmd->add_flag("--json", ha.json, "Machine-readable");
    auto* cmp_cmd = app.add_subcommand("compare", "Compare two runs: ratio of medians with CI, Mann-Whitney U");
    cmp_cmd->add_option("runs", ha.refs, "BASELINE CURRENT (ids or uuids)")->required()->expected(2);
    add_db(cmp_cmd, ha.db);
    cmp_cmd->add_flag("--json", ha.json, "Machine-readable");

    ExportArgs ea;
    ea.db = tbdb::RunStore::default_path();
    auto* exp_cmd = app.add_subcommand("export", "Export runs as Markdown, CSV or JSON");
    exp_cmd->add_option("--format", ea.format, "md|csv|json")->required()->check(CLI::IsMember({"md", "markdown", "csv", "json"}));
    exp_cmd->add_option("--runs", ea.runs, "Run ids, comma-separated");
    exp_cmd->add_option("--last", ea.last, "The newest N runs")->check(int_at_least(1));
    exp_cmd->add_option("--workload", ea.workload, "Only this workload");
    exp_cmd->add_option("--baseline", ea.baseline, "Baseline run id or implementation (default: the pin)");
    exp_cmd->add_option("--out,-o", ea.out, "Output file")->required();
    add_db(exp_cmd, ea.db);

    std::string import_file, import_format = "auto", import_impl, import_db = tbdb::RunStore::default_path();
    auto* imp_cmd = app.add_subcommand("import", "Import llama-bench json/jsonl/csv/sql output, a llama-perplexity log or our own exports");
    imp_cmd->add_option("file", import_file, "Results file")->required();
    imp_cmd->add_option("--format", import_format, "auto|json|jsonl|csv|sql|ternbench-json|ternbench-csv|perplexity-log");
    imp_cmd->add_option("--implementation", import_impl, "Implementation name for llama-bench files");
    add_db(imp_cmd, import_db);

    auto* base_cmd = app.add_subcommand("baseline", "External baselines and pins");
    base_cmd->require_subcommand(1);
    BaselineRunArgs ba;
    ba.db = tbdb::RunStore::default_path();
    auto* brun = base_cmd->add_subcommand("run", "Run an external llama-bench, llama-perplexity or llama-server (latency workloads over HTTP) and store the results");
    auto* bench_prog = brun->add_option("--llama-bench", ba.program, "llama-bench program");
    auto* ppl_prog = brun->add_option("--llama-perplexity", ba.perplexity_program,
                                      "llama-perplexity program (a `perplexity` run: --text, --ctx, --chunks, "
                                      "--kl-base, --write-kl-base as for `run`)");
    bench_prog->excludes(ppl_prog);
    brun->add_option("--text", ba.text_file, "llama-perplexity: text file (-f)");
    brun->add_option("--ctx", ba.ctx, "llama-perplexity: tokens per chunk (-c, default 512)")->check(int_at_least(4));
    brun->add_option("--chunks", ba.chunks, "llama-perplexity: at most this many chunks")->check(int_at_least(1));
    auto* bkl = brun->add_option("--kl-base", ba.kl_base, "llama-perplexity: KL divergence against this base");
    brun->add_option("--write-kl-base", ba.write_kl_base, "llama-perplexity: write a KL base file")->excludes(bkl);
    BaselineServerArgs bs;
    bs.db = tbdb::RunStore::default_path();
    auto& bsp = bs.spec;
    auto* server_opt = brun->add_option("--llama-server", bs.program,
                                        "llama-server program (llama.cpp, bitnet.cpp or a fork): started on "
                                        "127.0.0.1 and a free port, stopped after the run")
                           ->excludes(bench_prog)
                           ->excludes(ppl_prog);
    brun->add_option("--model,-m", ba.model, "GGUF model")->required();
    const std::string threads_why = "4 x the logical CPUs";
    brun->add_option("--workload,-w", bsp.workload, "llama-server: latency workload single|stream|batch|server|scaling")
        ->check(CLI::IsMember({"single", "stream", "batch", "server", "scaling"}));
    brun->add_option("--concurrency,-c", bsp.concurrency, "llama-server: requests at once (batch) / max batch (server); = its -np")
        ->check(int_at_least(1));
    brun->add_option("--max-tokens", bsp.max_tokens, "llama-server: new tokens per request (0: 100 single/stream, 50 batch)")
        ->check(int_at_least(0));
    brun->add_option("--warmup", bsp.warmup, "llama-server: warm-up runs, not measured (default 1)")->check(int_at_least(0));
    brun->add_option("--prompts-file", bsp.prompts_file, "llama-server: prompts, one per line or JSONL");
    brun->add_option("--temperature", bsp.temperature, "llama-server: sampling temperature (default 0.7)");
    brun->add_option("--top-p", bsp.top_p, "llama-server: top-p (default 0.9)");
    brun->add_option("--top-k", bsp.top_k, "llama-server: top-k (default 0 = off)");
    brun->add_option("--seed", bsp.seed, "llama-server: sampling seed, 0 to 2^64-1 (default 42)")->check(unsigned_integer());
    brun->add_option("--rate", bsp.arrival_rate, "llama-server, server workload: Poisson arrival rate, requests/s");
    brun->add_option("--duration", bsp.duration_s, "llama-server, server workload: arrival window, seconds");
    brun->add_option("--slo-ttft", bsp.slo_ttft_ms, "llama-server, server workload: TTFT SLO, ms");
    brun->add_option("--slo-tpot", bsp.slo_tpot_ms, "llama-server, server workload: TPOT SLO, ms");
    std::string bs_sweep_conc, bs_forbid;
    brun->add_option("--sweep-concurrency", bs_sweep_conc, "llama-server, scaling: concurrencies, e.g. 1,2,4");
    brun->add_option("--n-ctx", bsp.n_ctx, "llama-server: context per request (0: the model's, at most 4096)");
    brun->add_option("--kv-type", bsp.kv_type, "llama-server: KV cache type f16 (default) or f32")
        ->transform(CLI::CheckedTransformer(kv_types));
    add_http_generation_flags(brun, bsp, bs_forbid);
    brun->add_option("--health-timeout", bs.health_timeout_s, "llama-server: seconds to wait for /health (default 300)")
        ->check(positive_real());
    brun->add_option("--server-port", bs.port, "llama-server: port on 127.0.0.1 (default: a free one)")
        ->check(CLI::Range(0, 65535));
    brun->add_option("-p", ba.n_prompt, "Prompt tokens (0 to 1048576)")->check(int_at_least(0))->check(int_at_most(1 << 20, ""));
    brun->add_option("-n", ba.n_gen, "Generated tokens (0 to 1048576)")->check(int_at_least(0))->check(int_at_most(1 << 20, ""));
    brun->add_option("-t", ba.threads, kThreadsHelp)->check(int_at_least(0))->check(int_at_most(max_threads(), threads_why));
    brun->add_option("-r", ba.reps, "Repetitions (1 to 1000000)")->check(int_at_least(1))->check(int_at_most(1000000, ""));
    brun->add_option("--timeout", ba.timeout_s, "Seconds before the program is killed (above 0 up to 604800; default 3600)")
        ->check(positive_real())->check(CLI::Range(0.0, 604800.0));
    brun->add_option("--implementation", ba.implementation, "Name (default: detected from the output)");
    brun->add_option("program_args", ba.extra_args,
                     "Flags passed through to the program after --, stored with the runs (e.g. -- -rtr 1)");
    add_db(brun, ba.db);
    brun->add_flag("--json", ba.json, "Machine-readable");
    std::string pin_ref, pin_db = tbdb::RunStore::default_path();
    auto* bpin = base_cmd->add_subcommand("pin", "Pin a run (id) or an implementation as the baseline");
    bpin->add_option("ref", pin_ref, "Run id or implementation name")->required();
    add_db(bpin, pin_db);
    bool blist_json = false;
    auto* blist = base_cmd->add_subcommand("list", "List pins");
    add_db(blist, pin_db);
    blist->add_flag("--json", blist_json, "Machine-readable");

    std::string check_db = tbdb::RunStore::default_path();
    auto* db_cmd = app.add_subcommand("db", "Database maintenance");
    db_cmd->require_subcommand(1);
    auto* db_check = db_cmd->add_subcommand("check", "PRAGMA integrity_check");
    add_db(db_check, check_db);

    // engine tools
    std::string info_file;
    bool info_json = false;
    auto* model_cmd = app.add_subcommand("model", "Model files");
    model_cmd->require_subcommand(1);
    auto* info_cmd = model_cmd->add_subcommand("info", "Architecture, hyper-parameters, tensors, support");
    info_cmd->add_option("file", info_file, "GGUF file")->required();
    info_cmd->add_flag("--json", info_json, "Machine-readable");

    std::string tk_model, tk_text;
    bool tk_bos = false, tk_json = false;
    auto* tok_cmd = app.add_subcommand("tokenize", "Text to token ids (no BOS unless --bos)");
    tok_cmd->add_option("--model,-m", tk_model, "GGUF file")->required();
    tok_cmd->add_option("--text", tk_text, "Text")->required();
    tok_cmd->add_flag("--bos", tk_bos, "Add BOS");
    tok_cmd->add_flag("--json", tk_json, "Print {\"ids\": [...]}");

    std::string lg_model, lg_tokens, lg_kernel = "auto";
    bool lg_all = false, lg_json = false;
    int lg_threads = 0;
    auto* lg_cmd = app.add_subcommand("logits", "Logits of token ids evaluated as given (no BOS added)");
    lg_cmd->add_option("--model,-m", lg_model, "GGUF file")->required();
    lg_cmd->add_option("--tokens", lg_tokens, "Token ids separated by spaces or commas")->required();
    lg_cmd->add_flag("--all-positions", lg_all, "Every position (default: last only)");
    lg_cmd->add_option("--kernel", lg_kernel, kernel_help);
    lg_cmd->add_option("--threads,-t", lg_threads, kThreadsHelp)->check(int_at_least(0))->check(int_at_most(max_threads(), "4 x the logical CPUs"));
    lg_cmd->add_flag("--json", lg_json, "Every logit as JSON (default: the 5 highest per position as text)");

    GenerateArgs ga;
    auto* gen_cmd = app.add_subcommand("generate", "Generate text (timing summary on stderr)");
    gen_cmd->add_option("--model,-m", ga.model, "GGUF file")->required();
    gen_cmd->add_option("--prompt", ga.prompt, "Prompt text")->required();
    gen_cmd->add_option("-n,--n-predict", ga.n, "New tokens")->check(int_at_least(1));
    gen_cmd->add_option("--temperature", ga.temperature, "0 = greedy");
    gen_cmd->add_option("--top-k", ga.top_k, "0 = off");
    gen_cmd->add_option("--top-p", ga.top_p, "1 = off");
    gen_cmd->add_option("--seed", ga.seed, "Seed, 0 to 2^64-1")->check(unsigned_integer());
    gen_cmd->add_option("--kernel", ga.kernel, kernel_help);
    gen_cmd->add_option("--threads,-t", ga.threads, kThreadsHelp)->check(int_at_least(0))->check(int_at_most(max_threads(), "4 x the logical CPUs"));
    gen_cmd->add_flag("--stream", ga.stream, "Print tokens as they come");

    std::string dm_preset = "small", dm_type = "i2_s", dm_arch = "bitnet-b1.58", dm_out;
    uint64_t dm_seed = 1;
    auto* dm_cmd = app.add_subcommand("demo-model", "Write a deterministic demo GGUF");
    dm_cmd->add_option("--preset", dm_preset, presets);
    dm_cmd->add_option("--type", dm_type, types + " (f16: the same trits x scale as floats, a KL base for the ternary files of the seed)");
    dm_cmd->add_option("--arch", dm_arch, archs);
    dm_cmd->add_option("--seed", dm_seed, "Seed, 0 to 2^64-1")->check(unsigned_integer());
    dm_cmd->add_option("--out,-o", dm_out, "Output file")->required();

    ServeArgs sa;
    std::string serve_kv = "f16";
    auto* serve_cmd = app.add_subcommand(
        "serve", "Serve the engine over llama-server's HTTP API (/health /props /tokenize /completion "
                 "/v1/completions /v1/models); prints 'ternbench serve: listening on http://HOST:PORT'");
    auto* serve_model = serve_cmd->add_option("--model,-m", sa.model, "GGUF model file");
    serve_cmd->add_option("--preset", sa.preset, "Demo model preset (tiny|small|700m|1b3|2b) when no --model")->excludes(serve_model);
    serve_cmd->add_option("--type", sa.type, "Demo model type (i2_s|tq2_0|tq1_0)")->excludes(serve_model);
    serve_cmd->add_option("--arch", sa.arch, "Demo model arch (bitnet|bitnet-b1.58)")->excludes(serve_model);
    serve_cmd->add_option("--host", sa.options.host, "Address to bind (default 127.0.0.1: loopback only)");
    serve_cmd->add_option("--port", sa.options.port, "Port (default 8080; 0 = a free port, printed)");
    serve_cmd->add_option("--threads,-t", sa.options.threads, kThreadsHelp)->check(int_at_least(0));
    serve_cmd->add_option("--parallel", sa.options.parallel, "Sequences decoded together (default 1)")->check(int_at_least(1));
    serve_cmd->add_option("--ctx,-c", sa.options.n_ctx, "Context per sequence, tokens (0: engine default)")->check(int_at_least(0));
    serve_cmd->add_option("--kv-type", serve_kv, "KV cache type: f16 (default) or f32")->check(CLI::IsMember({"f16", "f32"}));
    serve_cmd->add_option("--max-queue", sa.options.max_queue, "Requests waiting beyond --parallel before 503 (default 16)")->check(int_at_least(0));
    serve_cmd->add_option("--max-body", sa.options.max_body_bytes, "Largest request body, bytes (default 1048576; larger: 413)")->check(int_at_least(1));
    serve_cmd->add_option("--kernel", sa.kernel, "Kernel set: auto|scalar|avx2|avx512");

    LoadProbeArgs probe;
    auto* probe_cmd = app.add_subcommand("__load-probe", "");
    probe_cmd->group("");  // hidden: the load workload's child process
    probe_cmd->add_option("--model", probe.model_path)->required();
    probe_cmd->add_option("--kernel", probe.kernel);
    probe_cmd->add_option("--threads", probe.threads);

    try {
        app.parse(argc, argv);
        if (top_db->count() > 0)
            for (const auto& sub : sub_dbs)  // several subcommands share a target: only the parsed one
                if (sub.cmd->parsed() && sub.opt->count() == 0) *sub.target = default_db;
        if (top_preset->count() > 0 && !app.get_subcommands().empty())
            throw CLI::ValidationError("--preset", "before a subcommand it only applies to the default run "
                                                   "(no subcommand); give it after `run` instead");
        if (brun->parsed() && ba.program.empty() && ba.perplexity_program.empty() && bs.program.empty())
            throw CLI::RequiredError("--llama-bench, --llama-perplexity or --llama-server");
        // SQLite opens "" as a private temporary database: a run stored there would vanish.
        if (default_db.empty()) throw CLI::ValidationError("--db", "needs a file name, got an empty one");
        for (const auto& sub : sub_dbs)
            if (sub.cmd->parsed() && sub.target->empty())
                throw CLI::ValidationError("--db", "needs a file name, got an empty one");
        // A store in a folder that does not exist yet: the folders are made, and said so.
        std::string active_db = default_db;
        for (const auto& sub : sub_dbs)
            if (sub.cmd->parsed()) active_db = *sub.target;
        if (const auto folder = std::filesystem::path(active_db).parent_path(); !folder.empty()) {
            std::error_code ec;
            if (!std::filesystem::exists(folder, ec) && !*info_cmd && !*tok_cmd && !*lg_cmd && !*gen_cmd &&
                !*dm_cmd && !*probe_cmd && !*serve_cmd)
                std::cerr << "ternbench: the folder " << folder.string() << " does not exist; creating it for the database "
                          << active_db << "\n";
        }
        if (app.get_subcommands().empty() && !member_of(tern::demo_presets(), default_preset))
            throw CLI::ValidationError("--preset", "unknown demo preset '" + default_preset + "' (tiny, small, 700m, 1b3, 2b)");
        if (!sweep_threads.empty()) sp.sweep_threads = int_list_flag(sweep_threads, "--sweep-threads");
        if (!sweep_conc.empty()) sp.sweep_concurrency = int_list_flag(sweep_conc, "--sweep-concurrency");
        if (!run_forbid.empty()) sp.forbid_tokens = parse_token_list(run_forbid, "--forbid-tokens");
        if (!bs_forbid.empty()) bsp.forbid_tokens = parse_token_list(bs_forbid, "--forbid-tokens");
        if (!bs_sweep_conc.empty()) bsp.sweep_concurrency = int_list_flag(bs_sweep_conc, "--sweep-concurrency");
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);  // prints the message and the usage hint to stderr
        return kUsage;
    }

    try {
        if (*run_cmd) {
            // Before the store is opened or a model made: nothing to clean up, nothing stored.
            if (const RunCheck check = check_run_flags(sp); !check.ok()) {
                std::cerr << "ternbench run: " << check.message << "\n";
                return kUsage;
            }
            return cmd_run(ra);
        }
        if (*list_cmd) return cmd_list(ha);
        if (*show_cmd) return cmd_show(ha);
        if (*cmp_cmd) return cmd_compare(ha);
        if (*exp_cmd) return cmd_export(ea);
        if (*imp_cmd) return cmd_import(import_db, import_file, import_format, import_impl);
        if (*brun && server_opt->count() > 0) {
            bs.db = ba.db;
            bs.implementation = ba.implementation;
            bsp.model_path = ba.model;
            bsp.threads = ba.threads;
            bsp.repetitions = ba.reps;
            bs.json = ba.json;
            bs.extra_args = ba.extra_args;
            if (std::string err = bsp.validate(); !err.empty()) {
                std::cerr << "ternbench baseline run: " << err << "\n";
                return kUsage;
            }
            return cmd_baseline_server_run(bs);
        }
        if (*brun) return cmd_baseline_run(ba);
        if (*bpin) return cmd_baseline_pin(pin_db, pin_ref);
        if (*blist) return cmd_baseline_list(pin_db, blist_json);
        if (*db_check) return cmd_db_check(check_db);
        if (*info_cmd) return cmd_model_info(info_file, info_json);
        if (*tok_cmd) return cmd_tokenize(tk_model, tk_text, tk_bos, tk_json);
        if (*lg_cmd) return cmd_logits(lg_model, lg_tokens, lg_all, lg_kernel, lg_threads, lg_json);
        if (*gen_cmd) return cmd_generate(ga);
        if (*dm_cmd) return cmd_demo_model(dm_preset, dm_type, dm_arch, dm_seed, dm_out);
        if (*probe_cmd) return run_load_probe(probe);
        if (*serve_cmd) {
            sa.options.kv_f16 = serve_kv == "f16";
            return cmd_serve(sa);
        }
        return cmd_default_run(default_db, default_preset);
    } catch (const tbdb::StoreError& e) {
        std::cerr << "ternbench: database error: " << e.what() << "\n";
        return kStoreError;
    } catch (const std::exception& e) {
        std::cerr << "ternbench: " << e.what() << "\n";
        return kRunFailed;
    }
}

}  // namespace bench::cli
