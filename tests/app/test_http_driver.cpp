// The HTTP workload driver against a scripted server inside the test: recorded llama-server
// answers replayed (happy path, /v1/completions, the error event inside a 200 stream, 4xx/5xx),
// and misbehaviour on purpose (invalid JSON, garbage, truncated and over-long events, a stall,
// a slow drip, a crash mid-stream, connection refused, a response over the size bound). Every
// failure is a stored failed run with a message naming the problem, keeping what was measured.
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "app/core/runner.h"
#include "app/http/completion_api.h"
#include "app/http/endpoint.h"
#include "app/http/http_sink.h"
#include "app/http/sse_parser.h"
#include "app/legacy/llama_server_baseline.h"
#include "app/reports/markdown_report.h"
#include "app/reports/run_labels.h"
#include "app/workloads/request_tracker.h"
#include "db/run_store.h"
#include "helpers/scripted_server.h"

using namespace bench;
using testsrv::Connection;
using testsrv::Request;

namespace {

std::string fixture(const char* name) { return std::string(TB_FIXTURES_DIR) + "/llama-server/" + name; }

// /health, /props as recorded; completions answered by `completion`.
testsrv::Handler llama_like(std::function<void(const Request&, Connection&)> completion) {
    return [completion](const Request& r, Connection& c) {
        if (r.path == "/health") return testsrv::send_recorded(c, testsrv::load_recorded(fixture("health.http")));
        if (r.path == "/props") return testsrv::send_recorded(c, testsrv::load_recorded(fixture("props.http")));
        if (r.path == "/completion" || r.path == "/v1/completions") return completion(r, c);
        testsrv::send_recorded(c, testsrv::load_recorded(fixture("not-found.http")));
    };
}

testsrv::Handler replay(const char* completion_fixture, int gap_ms = 0) {
    const auto rec = testsrv::load_recorded(fixture(completion_fixture));
    return llama_like([rec, gap_ms](const Request&, Connection& c) { testsrv::send_recorded(c, rec, gap_ms); });
}

const std::string kStreamHead =
    "HTTP/1.1 200 OK\r\nServer: llama.cpp\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";

std::string token_event(int i) {
    return "data: {\"index\":0,\"content\":\" z\",\"tokens\":[" + std::to_string(300 + i) +
           "],\"stop\":false,\"tokens_predicted\":" + std::to_string(i + 1) + "}\n\n";
}

}  // namespace

class TestHttpDriver : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    int db_n_ = 0;

    BenchmarkSpec spec(const std::string& url, const std::string& workload = "stream") {
        BenchmarkSpec s;
        s.workload = workload;
        s.model_path = std::string(TB_FIXTURES_DIR) + "/tiny-tq2_0.gguf";
        s.endpoint = url;
        s.repetitions = 2;
        s.warmup = 0;
        s.max_tokens = 6;
        s.prompts = {"Hello world", "The quick brown fox"};
        s.threads = 2;
        s.concurrency = 2;
        s.request_timeout_s = 5;
        return s;
    }
    // A short `server` window (Poisson arrivals at 20 req/s, one repetition).
    BenchmarkSpec server_window(const std::string& url, double seconds) {
        BenchmarkSpec s = spec(url, "server");
        s.arrival_rate = 20;
        s.duration_s = seconds;
        s.repetitions = 1;
        return s;
    }
    std::string db() { return dir_.filePath(QString("d%1.sqlite").arg(db_n_++)).toStdString(); }

    // Runs the spec, checks the run was stored as returned, and returns it.
    tbdb::RunRecord run_and_reload(const BenchmarkSpec& s) {
        tbdb::RunStore store(db());
        Runner runner(store);
        const auto run = runner.run(s);
        auto stored = store.load_run(run.id);
        if (!stored) qFatal("run not stored");
        if (stored->status != run.status) qFatal("stored status differs");
        return *stored;
    }

private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    // --- pieces ---------------------------------------------------------------------------
    void sse_parser_handles_split_crlf_comments_and_multiline() {
        http::SseParser p(64);
        std::vector<std::string> ev;
        QVERIFY(p.feed("data: a\r", ev));
        QVERIFY(p.feed("\ndata: b\r\n", ev));
        QVERIFY(ev.empty());
        QVERIFY(p.feed("\r\n: comment\n\ndat", ev));
        QCOMPARE(ev.size(), size_t(1));
        QCOMPARE(ev[0], std::string("a\nb"));
        QVERIFY(p.feed("a:c\n\n", ev));
        QCOMPARE(ev.back(), std::string("c"));
        QCOMPARE(p.pending(), size_t(0));
        QVERIFY(p.feed("data: partial", ev));
        QVERIFY(p.pending() > 0);
    }

    void sse_parser_refuses_overlong_event_without_growing() {
        http::SseParser p(100);
        std::vector<std::string> ev;
        QVERIFY(!p.feed(std::string(101, 'x'), ev));
        QVERIFY(p.failed());
        QVERIFY(QString::fromStdString(p.error()).contains("longer than 100 bytes"));
        http::SseParser q(100);  // many lines that each fit but together exceed the event bound
        std::string many;
        for (int i = 0; i < 20; ++i) many += "data: 0123456789\n";
        QVERIFY(!q.feed(many, ev));
    }

    void request_body_has_identical_inputs() {
        http::CompletionRequest r;
        r.prompt = {1, 300, 301};
        r.n_predict = 64;
        r.ignore_eos = true;
        r.temperature = 0;
        r.seed = 7;
        r.forbid_tokens = {3, 4};
        const auto j = nlohmann::json::parse(http::completion_body(http::ApiKind::Completion, r));
        QCOMPARE(j["prompt"], nlohmann::json({1, 300, 301}));
        QCOMPARE(j["n_predict"].get<int>(), 64);
        QCOMPARE(j["cache_prompt"].get<bool>(), false);
        QCOMPARE(j["stream"].get<bool>(), true);
        QCOMPARE(j["ignore_eos"].get<bool>(), true);
        QCOMPARE(j["seed"].get<int>(), 7);
        QCOMPARE(j["logit_bias"], nlohmann::json::parse("[[3,false],[4,false]]"));
        const auto v1 = nlohmann::json::parse(http::completion_body(http::ApiKind::OpenAiV1, r));
        QCOMPARE(v1["max_tokens"].get<int>(), 64);
        QCOMPARE(v1["cache_prompt"].get<bool>(), false);
    }

    void events_of_the_recordings() {
        using K = http::StreamEvent::Kind;
        auto e = http::interpret_event(http::ApiKind::Completion,
                                       R"({"content":" z","tokens":[379],"stop":false})");
        QCOMPARE(e.kind, K::Tokens);
        QCOMPARE(e.n_tokens, 1);
        e = http::interpret_event(http::ApiKind::Completion,
                                  R"({"content":"","tokens":[],"stop":true,"stop_type":"limit","timings":{"prompt_n":5,"prompt_ms":1.5,"predicted_n":6,"predicted_ms":2.0}})");
        QCOMPARE(e.kind, K::Done);
        QVERIFY(e.timings && e.timings->predicted_n == 6.0);
        e = http::interpret_event(http::ApiKind::Completion, R"({"error":{"code":500,"message":"boom"}})");
        QCOMPARE(e.kind, K::Error);
        QVERIFY(QString::fromStdString(e.error).contains("boom"));
        QCOMPARE(http::interpret_event(http::ApiKind::OpenAiV1, "[DONE]").kind, K::Done);
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, http::interpret_event(http::ApiKind::Completion, "{oops"));
    }

    void endpoint_urls() {
        const auto e = http::parse_endpoint("http://127.0.0.1:8080/api/");
        QCOMPARE(e.host, std::string("127.0.0.1"));
        QCOMPARE(e.port, std::string("8080"));
        QCOMPARE(e.target("/completion"), std::string("/api/completion"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, http::parse_endpoint("https://x:1"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, http::parse_endpoint("http://x:99999"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, http::parse_endpoint("ftp://x"));
    }

    // --- runs against the recorded server ----------------------------------------------
    void stream_run_over_recorded_llama_server() {
        testsrv::ScriptedServer srv(replay("completion-stream.http", 2));
        auto s = spec(srv.url());
        s.forbid_byte_tokens = true;
        s.ignore_eos = true;
        const auto run = run_and_reload(s);
        QVERIFY2(run.status == tbdb::RunStatus::Completed, run.error.c_str());
        QCOMPARE(run.requests.size(), size_t(4));
        for (const auto& r : run.requests) {
            QCOMPARE(r.output_tokens, 6);
            QCOMPARE(r.token_times_ms.size(), size_t(6));
            QVERIFY(r.ttft_ms && r.e2e_ms && *r.e2e_ms >= *r.ttft_ms);
        }
        QVERIFY(run.metric("ttft_ms_p50") && run.metric("ttft_ms_p50")->value);
        QVERIFY(run.metric("itl_ms_p50") && run.metric("itl_ms_p50")->value);
        QVERIFY(run.metric("tpot_ms_p50"));
        // llama-server's own timings, labelled as such.
        const auto* server = run.metric("server_decode_tok_s");
        QVERIFY(server && server->value);
        QVERIFY(QString::fromStdString(server->note).contains("server-reported"));
        QCOMPARE(run.implementation, std::string("llama.cpp"));
        QCOMPARE(run.impl_version, std::string("b10587-3f545becc"));
        const auto config = nlohmann::json::parse(run.config_json);
        QCOMPARE(config["http"]["over_http"].get<bool>(), true);
        QCOMPARE(config["http"]["api"].get<std::string>(), std::string("completion"));
        QVERIFY(!config.dump().empty() && config.dump().find("API_KEY") == std::string::npos);

        // What went over the wire: token ids, cache_prompt false, the byte tokens forbidden.
        int completions = 0;
        for (const auto& r : srv.requests()) {
            if (r.path != "/completion") continue;
            ++completions;
            const auto body = nlohmann::json::parse(r.body);
            QVERIFY(body["prompt"].is_array() && body["prompt"][0].is_number_integer());
            QCOMPARE(body["cache_prompt"].get<bool>(), false);
            QCOMPARE(body["ignore_eos"].get<bool>(), true);
            QCOMPARE(body["n_predict"].get<int>(), 6);
            QCOMPARE(body["logit_bias"].size(), size_t(256));  // the tiny vocabulary's byte tokens
            QCOMPARE(body["logit_bias"][0], nlohmann::json::parse("[3,false]"));
        }
        QCOMPARE(completions, 4);
    }

    void comparison_report_says_which_side_went_over_http() {
        testsrv::ScriptedServer srv(replay("completion-stream.http"));
        auto over_http = run_and_reload(spec(srv.url()));
        QVERIFY2(over_http.status == tbdb::RunStatus::Completed, over_http.error.c_str());
        QVERIFY(run_over_http(over_http));
        tbdb::RunRecord engine = over_http;  // the same configuration, measured in-process
        engine.id = over_http.id + 1;
        engine.uuid = "engine-run";
        engine.implementation = "ternbench/avx2";
        engine.impl_version = "abc123";
        auto cfg = nlohmann::json::parse(over_http.config_json);   // the same flags, no endpoint
        cfg.erase("http");
        cfg["endpoint"] = "";
        engine.config_json = cfg.dump();
        QVERIFY(!run_over_http(engine));
        ReportInput in;
        in.runs = {engine};
        in.baselines = {over_http};
        in.baseline_label = "implementation llama.cpp";
        const std::string md = markdown_comparison_report(in);
        QVERIFY2(md.find("llama.cpp b10587-3f545becc over HTTP") != std::string::npos, md.c_str());
        QVERIFY(md.find("ternbench/avx2 abc123 over HTTP") == std::string::npos);
        // Paired by the one rule: same model file, workload, tokens, threads and settings.
        const std::string pair = "#" + std::to_string(engine.id) + " ternbench/avx2 abc123 vs #" + std::to_string(over_http.id);
        QVERIFY2(md.find(pair) != std::string::npos, md.c_str());
        QVERIFY(md.find("no baseline of the same configuration") == std::string::npos);
    }

    void openai_v1_stream() {
        testsrv::ScriptedServer srv(replay("v1-completions-stream.http"));
        auto s = spec(srv.url(), "batch");
        s.api = "v1";
        const auto run = run_and_reload(s);
        QVERIFY2(run.status == tbdb::RunStatus::Completed, run.error.c_str());
        QCOMPARE(run.requests.size(), size_t(4));  // 2 at once x 2 repetitions
        for (const auto& r : run.requests) QCOMPARE(r.output_tokens, 6);
        for (const auto& r : srv.requests()) QVERIFY(r.path != "/completion");
    }

    void server_workload_has_goodput() {
        testsrv::ScriptedServer srv(replay("completion-stream.http"));
        const auto run = run_and_reload(server_window(srv.url(), 0.5));
        QVERIFY2(run.status == tbdb::RunStatus::Completed, run.error.c_str());
        QVERIFY(!run.requests.empty());
        QVERIFY(run.metric("goodput_req_s") && run.metric("goodput_req_s")->value);
    }

    void slow_drip_still_completes() {
        // Every byte on its own, 1 ms apart: slow but never silent for the stall timeout.
        testsrv::ScriptedServer srv(llama_like([](const Request&, Connection& c) {
            c.write(kStreamHead);
            std::string body;
            for (int i = 0; i < 3; ++i) body += token_event(i);
            body += "data: {\"content\":\"\",\"tokens\":[],\"stop\":true,\"stop_type\":\"limit\"}\n\n";
            for (char ch : body) {
                if (!c.write(testsrv::chunk(std::string(1, ch))) || !c.sleep_ms(1)) return;
            }
            c.write("0\r\n\r\n");
        }));
        auto s = spec(srv.url(), "single");
        s.repetitions = 1;
        s.prompts = {"Hello"};
        s.max_tokens = 3;
        const auto run = run_and_reload(s);
        QVERIFY2(run.status == tbdb::RunStatus::Completed, run.error.c_str());
        QCOMPARE(run.requests.size(), size_t(1));
        QCOMPARE(run.requests[0].output_tokens, 3);
    }

    // --- faults ------------------------------------------------------------------------
    void error_event_inside_200_stream() {
        testsrv::ScriptedServer srv(replay("completion-stream-error.http"));
        const auto run = run_and_reload(spec(srv.url()));
        QCOMPARE(run.status, tbdb::RunStatus::Failed);
        QVERIFY2(QString::fromStdString(run.error).contains("does not match the expected Content-only format"), run.error.c_str());
        QVERIFY(QString::fromStdString(run.error).contains("after 2 tokens"));
    }

    // A load test keeps going when the server sheds load: refused requests (503 from a full
    // queue) are counted as failed and not good; only a window where all failed fails the run.
    void server_workload_counts_refused_requests() {
        const std::string body = R"({"error":{"code":503,"message":"the server is busy","type":"unavailable_error"}})";
        const std::string busy = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: " +
                                 std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
        const auto rec = testsrv::load_recorded(fixture("completion-stream.http"));
        std::atomic<int> n{0};
        testsrv::ScriptedServer srv(llama_like([&n, rec, busy](const Request&, Connection& c) {
            if (n++ % 2 == 1) {
                c.write(busy);
                return;
            }
            testsrv::send_recorded(c, rec);
        }));
        const auto run = run_and_reload(server_window(srv.url(), 0.5));
        QVERIFY2(run.status == tbdb::RunStatus::Completed, run.error.c_str());
        const auto* failed = run.metric("requests_failed");
        QVERIFY(failed && failed->value);
        QVERIFY(*failed->value >= 1);
        QVERIFY2(failed->note.find("503") != std::string::npos, failed->note.c_str());
        QVERIFY(!run.requests.empty());
        // Every arrival was offered: the stored ones plus the refused ones.
        const auto* attainment = run.metric("slo_attainment_pct");
        QVERIFY(attainment && attainment->value);
        QVERIFY(*attainment->value < 100.0);
        srv.stop();

        // Nothing succeeded: the run fails and says so.
        testsrv::ScriptedServer refusing(llama_like([busy](const Request&, Connection& c) { c.write(busy); }));
        const auto none = run_and_reload(server_window(refusing.url(), 0.3));
        QCOMPARE(none.status, tbdb::RunStatus::Failed);
        QVERIFY2(QString::fromStdString(none.error).contains("every request"), none.error.c_str());
    }

    void http_4xx_and_5xx_answers() {
        for (const char* f : {"bad-token.http", "bad-json.http", "not-found.http"}) {
            testsrv::ScriptedServer srv(replay(f));
            const auto run = run_and_reload(spec(srv.url()));
            QCOMPARE(run.status, tbdb::RunStatus::Failed);
            const QString e = QString::fromStdString(run.error);
            QVERIFY2(e.contains("HTTP 400") || e.contains("HTTP 500") || e.contains("HTTP 404"), run.error.c_str());
        }
        testsrv::ScriptedServer srv(replay("bad-token.http"));
        const auto run = run_and_reload(spec(srv.url()));
        QVERIFY(QString::fromStdString(run.error).contains("Prompt contains invalid tokens"));
    }

    void invalid_json_event() {
        testsrv::ScriptedServer srv(llama_like([](const Request&, Connection& c) {
            c.write(kStreamHead + testsrv::chunk(token_event(0)) + testsrv::chunk("data: {\"content\": nope\n\n") + "0\r\n\r\n");
        }));
        const auto run = run_and_reload(spec(srv.url()));
        QCOMPARE(run.status, tbdb::RunStatus::Failed);
        QVERIFY2(QString::fromStdString(run.error).contains("invalid JSON"), run.error.c_str());
    }

    void garbage_and_overlong_events() {
        // 2 MiB without a newline: over the 1 MiB event bound, refused without buffering it all.
        testsrv::ScriptedServer srv(llama_like([](const Request&, Connection& c) {
            if (!c.write(kStreamHead)) return;
            const std::string junk(64 * 1024, '\x7f');
            for (int i = 0; i < 32; ++i)
                if (!c.write(testsrv::chunk(junk))) return;
            c.write("0\r\n\r\n");
        }));
        const auto run = run_and_reload(spec(srv.url()));
        QCOMPARE(run.status, tbdb::RunStatus::Failed);
        QVERIFY2(QString::fromStdString(run.error).contains("longer than 1048576 bytes"), run.error.c_str());

        testsrv::ScriptedServer text(llama_like([](const Request&, Connection& c) {
            c.write(kStreamHead + testsrv::chunk("data: this is not json at all\n\n") + "0\r\n\r\n");
        }));
        const auto run2 = run_and_reload(spec(text.url()));
        QCOMPARE(run2.status, tbdb::RunStatus::Failed);
        QVERIFY2(QString::fromStdString(run2.error).contains("invalid JSON"), run2.error.c_str());
    }

    void truncated_stream() {
        testsrv::ScriptedServer srv(llama_like([](const Request&, Connection& c) {
            c.write(kStreamHead + testsrv::chunk(token_event(0) + "data: {\"content\":\"x\",\"tok") + "0\r\n\r\n");
        }));
        const auto run = run_and_reload(spec(srv.url()));
        QCOMPARE(run.status, tbdb::RunStatus::Failed);
        QVERIFY2(QString::fromStdString(run.error).contains("truncated"), run.error.c_str());
    }

    void non_streaming_answer_is_refused() {
        testsrv::ScriptedServer srv(replay("completion.http"));
        const auto run = run_and_reload(spec(srv.url()));
        QCOMPARE(run.status, tbdb::RunStatus::Failed);
        QVERIFY2(QString::fromStdString(run.error).contains("not an event stream"), run.error.c_str());
    }

    void stall_fails_the_run_keeping_what_was_measured() {
        // The first 2 completions are fine, the third stalls after one token.
        std::atomic<int> n{0};
        const auto rec = testsrv::load_recorded(fixture("completion-stream.http"));
        testsrv::ScriptedServer srv(llama_like([&n, rec](const Request&, Connection& c) {
            if (n++ < 2) return testsrv::send_recorded(c, rec);
            c.write(kStreamHead + testsrv::chunk(token_event(0)));
            while (c.sleep_ms(50)) {
            }
        }));
        auto s = spec(srv.url());
        s.request_timeout_s = 2;  // the healthy two must not trip it on a busy machine
        const auto run = run_and_reload(s);
        QCOMPARE(run.status, tbdb::RunStatus::Failed);
        QVERIFY2(QString::fromStdString(run.error).contains("stalled"), run.error.c_str());
        QCOMPARE(run.requests.size(), size_t(2));  // the finished ones are stored
        QVERIFY(run.metric("ttft_ms_p50"));          // with their figures
        srv.stop();
    }

    void crash_mid_stream() {
        testsrv::ScriptedServer srv(llama_like([](const Request&, Connection& c) {
            c.write(kStreamHead + testsrv::chunk(token_event(0) + token_event(1)));
            c.close();  // the process died: the connection drops without the final chunk
        }));
        const auto run = run_and_reload(spec(srv.url()));
        QCOMPARE(run.status, tbdb::RunStatus::Failed);
        QVERIFY2(QString::fromStdString(run.error).contains("connection closed") ||
                     QString::fromStdString(run.error).contains("ended without"),
                 run.error.c_str());
        QVERIFY(QString::fromStdString(run.error).contains("after 2 tokens"));
    }

    void connection_refused() {
        const int port = free_local_port();
        QVERIFY(port > 0);
        const auto run = run_and_reload(spec("http://127.0.0.1:" + std::to_string(port)));
        QCOMPARE(run.status, tbdb::RunStatus::Failed);
        QVERIFY2(QString::fromStdString(run.error).contains("connection refused"), run.error.c_str());
    }

    void response_larger_than_the_bound() {
        testsrv::ScriptedServer srv(llama_like([](const Request&, Connection& c) {
            if (!c.write(kStreamHead)) return;
            for (int i = 0; i < 200; ++i)
                if (!c.write(testsrv::chunk(token_event(i)))) return;
            c.write("0\r\n\r\n");
        }));
        http::HttpSinkOptions o;
        o.endpoint = http::parse_endpoint(srv.url());
        o.limits.max_body = 4096;
        http::HttpSink sink(o);
        RequestTracker tracker(sink);
        tern::GenerationParams g;
        g.max_tokens = 500;
        tracker.submit({1, 2, 3}, g);
        QVERIFY(!tracker.wait_all(nullptr));
        const auto res = tracker.results().front();
        QCOMPARE(res.stop, tern::StopReason::Error);
        QVERIFY2(QString::fromStdString(res.error).contains("larger than 4096 bytes"), res.error.c_str());
        QVERIFY(!res.tokens.empty());  // what arrived before the bound was counted
    }

    void cancel_ends_requests_in_flight() {
        testsrv::ScriptedServer srv(llama_like([](const Request&, Connection& c) {
            c.write(kStreamHead + testsrv::chunk(token_event(0)));
            while (c.sleep_ms(20)) {
            }
        }));
        http::HttpSinkOptions o;
        o.endpoint = http::parse_endpoint(srv.url());
        http::HttpSink sink(o);
        RequestTracker tracker(sink);
        tracker.submit({1, 2, 3}, tern::GenerationParams{});
        std::atomic<bool> cancel{false};
        std::thread t([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            cancel = true;
        });
        QVERIFY(tracker.wait_all(&cancel));
        t.join();
        QCOMPARE(tracker.results().front().stop, tern::StopReason::Cancelled);
    }
};

QTEST_GUILESS_MAIN(TestHttpDriver)
#include "test_http_driver.moc"
