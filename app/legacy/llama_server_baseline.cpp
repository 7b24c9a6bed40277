#include "app/legacy/llama_server_baseline.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "app/http/endpoint_probe.h"
#include "app/http/http_client.h"
#include "app/system/child_process.h"
#include "app/system/host_info.h"
#include "db/timestamps.h"
#include "engine/model/model.h"
#include "engine/runtime/session.h"
#include "engine/base/thread_pool.h"

namespace bench {
namespace {

bool has_flag(const std::string& help, const std::string& flag) {
    // A flag as a word of its own: "-np," "--parallel N" (not a prefix of a longer flag).
    size_t pos = 0;
    while ((pos = help.find(flag, pos)) != std::string::npos) {
        const bool start_ok = pos == 0 || help[pos - 1] == ' ' || help[pos - 1] == ',' || help[pos - 1] == '\n' ||
                              help[pos - 1] == '\t';
        const size_t end = pos + flag.size();
        const bool end_ok = end >= help.size() || help[end] == ' ' || help[end] == ',' || help[end] == '\n' ||
                            help[end] == '\t' || help[end] == '=';
        if (start_ok && end_ok) return true;
        pos = end;
    }
    return false;
}

// The last `max_bytes` of `text`, starting at a line boundary when one is near.
std::string tail_of(const std::string& text, size_t max_bytes) {
    if (text.size() <= max_bytes) return text;
    std::string t = text.substr(text.size() - max_bytes);
    const size_t nl = t.find('\n');
    if (nl != std::string::npos && nl < 200) t = t.substr(nl + 1);
    return t;
}

// What the server printed, for messages: its stderr (where llama-server logs), or its stdout
// when stderr is empty.
std::string output_tail(const sys::ChildProcess& server, size_t max_bytes) {
    const std::string err = server.stderr_so_far();
    return tail_of(err.empty() ? server.stdout_so_far() : err, max_bytes);
}

// Both streams' tails in the run's config.
void keep_output(nlohmann::json& info, const sys::ChildProcess& server) {
    info["output_tail"] = tail_of(server.stderr_so_far(), 4000);
    if (const std::string out = server.stdout_so_far(); !out.empty()) info["stdout_tail"] = tail_of(out, 2000);
}

std::string join_command(const std::string& program, const std::vector<std::string>& args) {
    std::string s = program;
    for (const auto& a : args) s += " " + (a.find(' ') != std::string::npos ? "'" + a + "'" : a);
    return s;
}

}  // namespace

std::vector<std::string> ServerFlags::missing_required(bool needs_parallel, bool needs_cache_type) const {
    std::vector<std::string> m;
    if (!host) m.push_back("--host");
    if (!port) m.push_back("--port");
    if (!threads) m.push_back("-t/--threads");
    if (!ctx_size) m.push_back("-c/--ctx-size");
    if (needs_parallel && !parallel) m.push_back("-np/--parallel");
    if (needs_cache_type && !cache_type) m.push_back("-ctk/--cache-type-k");
    return m;
}

ServerFlags server_flags_from_help(const std::string& help) {
    ServerFlags f;
    f.no_webui = has_flag(help, "--no-webui");
    f.parallel = has_flag(help, "-np") || has_flag(help, "--parallel");
    f.ctx_size = has_flag(help, "-c") || has_flag(help, "--ctx-size");
    f.threads = has_flag(help, "-t") || has_flag(help, "--threads");
    f.host = has_flag(help, "--host");
    f.port = has_flag(help, "--port");
    f.cache_type = has_flag(help, "-ctk") || has_flag(help, "--cache-type-k");
    return f;
}

int server_slots_for(const BenchmarkSpec& spec) {
    if (spec.workload == "batch" || spec.workload == "server") return spec.concurrency;
    if (spec.workload == "scaling") {
        const auto& c = spec.sweep_concurrency;
        return c.empty() ? 8 : *std::max_element(c.begin(), c.end());
    }
    return 1;
}

std::vector<std::string> llama_server_args(const BenchmarkSpec& spec, const ServerFlags& flags, int threads,
                                           int slots, int64_t ctx_total, int port) {
    std::vector<std::string> a = {"-m", spec.model_path, "-t", std::to_string(threads),
                                  "-c", std::to_string(ctx_total), "--host", "127.0.0.1",
                                  "--port", std::to_string(port)};
    if (flags.parallel) a.insert(a.end(), {"-np", std::to_string(slots)});
    if (flags.no_webui) a.push_back("--no-webui");
    if (flags.cache_type) a.insert(a.end(), {"-ctk", kv_type_name(spec.kv_type), "-ctv", kv_type_name(spec.kv_type)});
    return a;
}

bool local_port_free(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

int free_local_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
        port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
}

LlamaServerRunOutcome run_llama_server_baseline(const LlamaServerRunSpec& ls, tbdb::RunStore& store,
                                                RunObserver* observer, const std::atomic<bool>* cancel) {
    LlamaServerRunOutcome out;
    BenchmarkSpec spec = ls.spec;
    const int threads = spec.threads > 0 ? spec.threads : std::max(1, tern::ThreadPool::physical_cores());
    spec.threads = threads;
    nlohmann::json server_info = {{"program", ls.program}, {"health_timeout_s", ls.health_timeout_s}};
    // Named from its --version before the run (a run that fails early), from /props too after.
    std::string early_name = "llama-server";

    auto fail = [&](const std::string& error, bool input_error = false) {
        tbdb::RunRecord run;
        run.started_at = tbdb::utc_timestamp_now();
        run.finished_at = run.started_at;
        run.status = tbdb::RunStatus::Failed;
        run.workload = spec.workload;
        run.implementation = ls.implementation.empty() ? early_name : ls.implementation;
        run.threads = threads;
        auto config = spec.to_json();
        config["server"] = server_info;
        if (!ls.extra_args.empty()) config["extra_args"] = ls.extra_args;
        run.config_json = config.dump();
        run.host = sys::collect_host_info();
        run.model.path = spec.model_path;
        run.error = error;
        run.source = "baseline:" + ls.program;
        store.insert_run(run);
        out.run = run;
        out.error = error;
        out.input_error = input_error;
        return out;
    };

    if (std::string err = spec.validate(); !err.empty()) return fail(err);
    const std::string exe = sys::find_program(ls.program);
    if (exe.empty()) return fail("llama-server program not found or not executable: " + ls.program, true);
    if (spec.model_path.empty() || !std::filesystem::exists(spec.model_path))
        return fail("model file not found: " + spec.model_path, true);

    // What the program offers: older builds lack flags (--no-webui, -np, -ctk).
    const auto help = sys::run_child(exe, {"--help"}, std::chrono::seconds(30), cancel);
    if (!help.started) return fail("cannot run " + ls.program + ": " + help.start_error);
    const ServerFlags flags = server_flags_from_help(help.out + help.err);
    const int slots = server_slots_for(spec);
    const auto missing = flags.missing_required(slots > 1, spec.kv_type != KvType::F16);
    if (!missing.empty()) {
        std::string list;
        for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
        return fail(ls.program + " --help lists no " + list + ": this server cannot run the " + spec.workload +
                    " workload as asked (" + help.describe() + ")");
    }
    const auto version = sys::run_child(exe, {"--version"}, std::chrono::seconds(30), cancel);
    const std::string version_text = tail_of(version.out + version.err, 400);
    server_info["version_output"] = version_text;

    int64_t per_slot_ctx = 0;
    std::string model_type;   // the weights' type: only bitnet.cpp runs I2_S, for one
    try {
        const auto info = tern::Model::inspect(spec.model_path);
        per_slot_ctx = tern::default_context(info.hparams, spec.n_ctx);
        model_type = info.ternary_type;
    } catch (const std::exception& e) {
        return fail(std::string("cannot read the model file: ") + e.what(), true);
    }
    if (const auto g = http::detect_server_implementation("", "", "", version_text, model_type); g.known)
        early_name = g.name;
    int port = ls.port;
    if (port > 0 && !local_port_free(port)) return fail("port " + std::to_string(port) + " on 127.0.0.1 is in use");
    if (port == 0) port = free_local_port();
    if (port == 0) return fail("no free port on 127.0.0.1");
    auto args = llama_server_args(spec, flags, threads, slots, per_slot_ctx * slots, port);
    args.insert(args.end(), ls.extra_args.begin(), ls.extra_args.end());
    out.command = args;
    out.command.insert(out.command.begin(), exe);
    server_info["command_line"] = join_command(exe, args);
    server_info["port"] = port;
    server_info["slots"] = slots;
    server_info["ctx_total"] = per_slot_ctx * slots;

    if (observer) observer->on_log(0, "starting " + join_command(exe, args));
    sys::ChildProcess server(exe, args);
    if (!server.started()) return fail("cannot start " + ls.program + ": " + server.start_error());
    const auto grace = std::chrono::milliseconds(int64_t(ls.stop_grace_s * 1000));

    // Ready when /health answers 200; the program ending first, a cancel or the timeout fail.
    http::Endpoint ep;
    ep.host = "127.0.0.1";
    ep.port = std::to_string(port);
    http::HttpLimits quick;
    quick.connect_timeout = std::chrono::milliseconds(1000);
    quick.idle_timeout = std::chrono::milliseconds(5000);
    quick.max_body = 1 << 20;
    const auto ready_deadline = std::chrono::steady_clock::now() +
                                std::chrono::milliseconds(int64_t(ls.health_timeout_s * 1000));
    std::string last_health;
    for (;;) {
        if (server.exited()) {
            const auto st = server.stop(grace);
            keep_output(server_info, server);
            return fail(ls.program + " " + st.describe() + " before it was ready; its output ends: " +
                        output_tail(server, 600));
        }
        const auto h = http::http_call(ep, "/health", "", quick);
        if (h.ok()) break;
        last_health = h.describe();
        if (cancel && cancel->load()) {
            server.stop(grace);
            return fail("cancelled while " + ls.program + " was starting");
        }
        if (std::chrono::steady_clock::now() >= ready_deadline) {
            const auto st = server.stop(grace);
            keep_output(server_info, server);
            return fail(ls.program + " was not ready within " + std::to_string(int(ls.health_timeout_s)) +
                        " s (last /health: " + last_health + "); stopped it (" + st.describe() + ")");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }

    spec.endpoint = "http://127.0.0.1:" + std::to_string(port);
    spec.api = "completion";
    Runner runner(store);
    runner.set_before_store([&](tbdb::RunRecord& run) {
        // A failed run may be the server's crash, which the supervisor reports a moment later.
        const bool crashed = run.status == tbdb::RunStatus::Failed
                                 ? server.wait_for_exit(std::chrono::milliseconds(2000))
                                 : server.exited();
        // Ended by itself during the run: stop() only collects how it ended.
        const std::string how = crashed ? server.stop(grace).describe() : std::string();
        nlohmann::json info = server_info;
        keep_output(info, server);
        if (crashed) info["exit"] = how;
        auto config = nlohmann::json::parse(run.config_json, nullptr, false);
        if (!config.is_object()) config = nlohmann::json::object();
        // What the server said about itself (/props, Server header, --version) and the model it
        // ran, through the one detection rule; kept beside the server's facts.
        const nlohmann::json http_info = config.contains("http") && config["http"].is_object()
                                             ? config["http"] : nlohmann::json::object();
        const auto guess = http::detect_server_implementation(
            http_info.value("server_header", ""), http_info.value("server_build", ""),
            http_info.value("server_model_ftype", ""), version_text, model_type);
        info["implementation_detected_by"] = guess.reason;
        config["server"] = info;
        if (!ls.extra_args.empty()) config["extra_args"] = ls.extra_args;
        run.implementation = ls.implementation.empty() ? guess.name : ls.implementation;
        if (run.impl_version.empty()) run.impl_version = version_text.substr(0, 80);
        run.source = "baseline:" + ls.program;
        run.config_json = config.dump();
        if (crashed && run.status == tbdb::RunStatus::Failed)
            run.error += " (" + ls.program + " " + how + "; its output ends: " + output_tail(server, 400) + ")";
    });
    out.run = runner.run(spec, observer, cancel);
    server.stop(grace);
    if (out.run.status == tbdb::RunStatus::Failed) out.error = out.run.error;
    return out;
}

}  // namespace bench
