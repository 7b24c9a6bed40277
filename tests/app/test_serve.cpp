// `ternbench serve`: the llama-server-compatible HTTP API over the Scheduler. Real servers on
// port 0 (in-process, and the CLI as a child), a real HTTP client: response shapes against
// recorded llama-server responses, SSE framing, greedy output identical to in-process
// generation, logit_bias, every refused input with its JSON error, the queue bound, a client
// that leaves, and shutdown without leftovers.
#include <QtTest>

#include <csignal>
#include <dirent.h>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "app/server/server.h"
#include "engine/model/model.h"
#include "engine/runtime/generate.h"
#include "engine/runtime/session.h"
#include "engine/tokenizer/tokenizer.h"
#include "http_test_client.h"

using nlohmann::json;
namespace srv = bench::server;
namespace th = test_http;

namespace {

const std::string kModel = std::string(TB_FIXTURES_DIR) + "/tiny-tq2_0.gguf";
constexpr auto kHangBound = std::chrono::seconds(120);

std::string read_text(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::string fixture(const std::string& name) {
    return read_text(std::string(TB_FIXTURES_DIR) + "/llama-server/" + name);
}

int thread_count() {
    int n = 0;
    if (DIR* d = opendir("/proc/self/task")) {
        while (dirent* e = readdir(d))
            if (e->d_name[0] != '.') ++n;
        closedir(d);
    }
    return n;
}

bool same_kind(const json& a, const json& b) {
    if (a.is_number() && b.is_number()) return true;
    return a.type() == b.type();
}

// Every key of `recorded` (unless skipped, or `subset`) is in `ours` with the same kind of
// value (numbers are one kind), recursively; arrays compare their first elements.
void same_shape(const json& ours, const json& recorded, const std::string& where,
                const std::set<std::string>& skip = {}, const std::set<std::string>& subset = {}, bool only_common = false) {
    if (!same_kind(ours, recorded))
        QFAIL(qPrintable(QString::fromStdString(where + ": " + ours.type_name() + " where llama-server has " +
                                                recorded.type_name())));
    if (recorded.is_object()) {
        for (const auto& [key, value] : recorded.items()) {
            if (skip.count(key)) continue;
            const bool present = ours.contains(key);
            if (!present && only_common) continue;
            if (!present) QFAIL(qPrintable(QString::fromStdString(where + ": missing \"" + key + "\"")));
            same_shape(ours[key], value, where + "." + key, {}, subset, only_common || subset.count(key) > 0);
            if (QTest::currentTestFailed()) return;
        }
    } else if (recorded.is_array() && !recorded.empty() && !ours.empty()) {
        same_shape(ours[0], recorded[0], where + "[0]", {}, subset, only_common);
    }
}

void check_error(const th::Reply& r, int status, const char* what) {
    QVERIFY2(r.status == status, qPrintable(QString("%1: status %2, body %3").arg(what).arg(r.status)
                                                .arg(QString::fromStdString(r.body))));
    QVERIFY2(r.content_type.find("application/json") == 0, what);
    const json j = json::parse(r.body);
    same_shape(j, json::parse(th::fixture_body(fixture("bad-token.http"))), what);
    QCOMPARE(j["error"]["code"].get<int>(), status);
    QVERIFY(!j["error"]["message"].get<std::string>().empty());
}

json byte_tokens_forbidden() {
    json lb = json::array();
    for (int id = 3; id <= 258; ++id) lb.push_back({id, false});
    return lb;
}

// A Server on port 0 running on its own thread; stopped and joined on destruction.
struct RunningServer {
    std::unique_ptr<srv::Server> server;
    std::thread thread;
    RunningServer(std::shared_ptr<const tern::Model> model, srv::ServeOptions o) {
        o.host = "127.0.0.1";
        o.port = 0;
        o.threads = 1;
        o.model_path = kModel;
        server = std::make_unique<srv::Server>(std::move(model), o);
        thread = std::thread([this] { server->run(); });
    }
    ~RunningServer() { shutdown(); }
    void shutdown() {
        if (!thread.joinable()) return;
        server->stop();
        thread.join();
    }
    uint16_t port() const { return server->port(); }
};

// A streamed request on a socket we control: the test reads as much as it wants, then may
// drop the connection.
struct OpenStream {
    th::net::io_context io;
    th::tcp::socket socket;
    std::string received;
    OpenStream(uint16_t port, const json& body) : socket(th::connect(io, port)) {
        const std::string b = body.dump();
        const std::string req = "POST /completion HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                                std::to_string(b.size()) + "\r\n\r\n" + b;
        th::net::write(socket, th::net::buffer(req));
    }
    // Reads until `text` has arrived (false when the connection ends first).
    bool read_until(const std::string& text) {
        char buf[4096];
        while (received.find(text) == std::string::npos) {
            boost::system::error_code ec;
            const size_t n = socket.read_some(th::net::buffer(buf), ec);
            received.append(buf, n);
            if (ec) return received.find(text) != std::string::npos;
        }
        return true;
    }
};

template <class Pred>
bool wait_for(Pred pred) {
    const auto end = std::chrono::steady_clock::now() + kHangBound;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > end) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

}  // namespace

class TestServe : public QObject {
    Q_OBJECT
    std::shared_ptr<const tern::Model> model_;
    std::unique_ptr<RunningServer> server_;  // parallel 2, default limits
    const std::vector<int32_t> prompt_ = {1, 300, 301, 302, 303};

    // In-process reference: the same prompt ids and sampler on a Session.
    std::vector<int32_t> in_process(const tern::GenerationParams& p) {
        tern::SessionOptions so;
        so.threads = 1;
        so.kv_f16 = true;
        tern::Session session(model_, so);
        return tern::generate(session, prompt_, p).tokens;
    }

    json completion_body(int n, bool stream) const {
        return {{"prompt", prompt_}, {"n_predict", n}, {"temperature", 0}, {"ignore_eos", true},
                {"cache_prompt", false}, {"stream", stream}, {"logit_bias", byte_tokens_forbidden()},
                {"return_tokens", true}};
    }

private slots:
    void initTestCase() {
        model_ = tern::Model::load(kModel);
        srv::ServeOptions o;
        o.parallel = 2;
        server_ = std::make_unique<RunningServer>(model_, o);
    }
    void cleanupTestCase() { server_.reset(); }

    void informational_endpoints_have_llama_servers_shape() {
        const uint16_t port = server_->port();
        auto r = th::get(port, "/health");
        QCOMPARE(r.status, 200);
        same_shape(json::parse(r.body), json::parse(th::fixture_body(fixture("health.http"))), "health");
        QCOMPARE(json::parse(r.body)["status"].get<std::string>(), std::string("ok"));

        r = th::get(port, "/props");
        QCOMPARE(r.status, 200);
        const json props = json::parse(r.body);
        same_shape(props, json::parse(th::fixture_body(fixture("props.http"))), "props",
                   {"media_marker", "ui", "ui_settings", "chat_template", "chat_template_caps", "cors_proxy_enabled"},
                   {"params"});
        QCOMPARE(props["total_slots"].get<int>(), 2);
        QVERIFY(props["build_info"].get<std::string>().rfind("ternbench-", 0) == 0);

        r = th::get(port, "/v1/models");
        QCOMPARE(r.status, 200);
        const json models = json::parse(r.body);
        same_shape(models, json::parse(th::fixture_body(fixture("v1-models.http"))), "v1/models", {}, {"models"});
        QCOMPARE(models["data"][0]["meta"]["n_vocab"].get<int>(), model_->tokenizer().n_vocab());

        r = th::post(port, "/tokenize", R"({"content":"Hello world"})");
        QCOMPARE(r.status, 200);
        const json tok = json::parse(r.body);
        same_shape(tok, json::parse(th::fixture_body(fixture("tokenize.http"))), "tokenize");
        QCOMPARE(tok["tokens"].get<std::vector<int32_t>>(), model_->tokenizer().encode("Hello world", false));

        r = th::post(port, "/detokenize", json{{"tokens", tok["tokens"]}}.dump());
        QCOMPARE(r.status, 200);
        QCOMPARE(json::parse(r.body)["content"].get<std::string>(), std::string("Hello world"));
    }

    void completion_matches_in_process_greedy() {
        const auto r = th::post(server_->port(), "/completion", completion_body(12, false).dump());
        QCOMPARE(r.status, 200);
        const json j = json::parse(r.body);
        same_shape(j, json::parse(th::fixture_body(fixture("completion.http"))), "completion", {}, {"generation_settings"});
        QCOMPARE(j["stop"].get<bool>(), true);
        QCOMPARE(j["stop_type"].get<std::string>(), std::string("limit"));
        QCOMPARE(j["tokens_predicted"].get<int>(), 12);
        QCOMPARE(j["tokens_evaluated"].get<int>(), 5);
        QCOMPARE(j["timings"]["predicted_n"].get<int>(), 12);

        tern::GenerationParams p;
        p.max_tokens = 12;
        p.stop_at_eog = false;
        for (int id = 3; id <= 258; ++id) p.sampling.logit_bias.push_back({id, -INFINITY});
        const auto expected = in_process(p);
        QCOMPARE(j["tokens"].get<std::vector<int32_t>>(), expected);
        QCOMPARE(j["content"].get<std::string>(), model_->tokenizer().decode(expected, false));
    }

    void streamed_completion_is_sse_with_timings_last() {
        const auto r = th::post(server_->port(), "/completion", completion_body(8, true).dump());
        QCOMPARE(r.status, 200);
        QCOMPARE(r.content_type, std::string("text/event-stream"));
        QCOMPARE(r.transfer_encoding, std::string("chunked"));
        const auto events = th::sse_events(r.body);
        QCOMPARE(events.size(), size_t(9));  // 8 tokens + the final event
        const auto recorded = th::sse_events(th::fixture_body(fixture("completion-stream.http")));
        const json rec_token = json::parse(recorded.front()), rec_last = json::parse(recorded.back());
        std::vector<int32_t> ids;
        for (size_t i = 0; i + 1 < events.size(); ++i) {
            const json e = json::parse(events[i]);
            same_shape(e, rec_token, "stream event");
            QCOMPARE(e["stop"].get<bool>(), false);
            QCOMPARE(e["tokens_predicted"].get<int>(), int(i) + 1);
            ids.push_back(e["tokens"][0].get<int32_t>());
        }
        const json last = json::parse(events.back());
        same_shape(last, rec_last, "last stream event", {}, {"generation_settings"});
        QCOMPARE(last["stop"].get<bool>(), true);
        QCOMPARE(last["timings"]["predicted_n"].get<int>(), 8);
        QVERIFY(last["timings"]["predicted_ms"].get<double>() >= 0);

        // The same tokens as the non-streamed answer.
        const auto whole = json::parse(th::post(server_->port(), "/completion", completion_body(8, false).dump()).body);
        QCOMPARE(ids, whole["tokens"].get<std::vector<int32_t>>());
    }

    void v1_completions_stream_ends_with_done() {
        json body = completion_body(6, true);
        body.erase("n_predict");
        body["max_tokens"] = 6;
        const auto r = th::post(server_->port(), "/v1/completions", body.dump());
        QCOMPARE(r.status, 200);
        QCOMPARE(r.content_type, std::string("text/event-stream"));
        const auto events = th::sse_events(r.body);
        const auto recorded = th::sse_events(th::fixture_body(fixture("v1-completions-stream.http")));
        QCOMPARE(events.size(), recorded.size());  // 6 chunks, the final one, [DONE]
        QCOMPARE(events.back(), std::string("[DONE]"));
        same_shape(json::parse(events.front()), json::parse(recorded.front()), "v1 chunk");
        const json last = json::parse(events[events.size() - 2]);
        same_shape(last, json::parse(recorded[recorded.size() - 2]), "v1 final chunk");
        QCOMPARE(last["choices"][0]["finish_reason"].get<std::string>(), std::string("length"));
        QCOMPARE(last["usage"]["completion_tokens"].get<int>(), 6);

        body["stream"] = false;
        const auto whole = th::post(server_->port(), "/v1/completions", body.dump());
        QCOMPARE(whole.status, 200);
        const json w = json::parse(whole.body);
        QCOMPARE(w["object"].get<std::string>(), std::string("text_completion"));
        QCOMPARE(w["usage"]["completion_tokens"].get<int>(), 6);
        std::string streamed_text;
        for (size_t i = 0; i + 1 < events.size(); ++i) streamed_text += json::parse(events[i])["choices"][0]["text"].get<std::string>();
        QCOMPARE(streamed_text, w["choices"][0]["text"].get<std::string>());
    }

    void logit_bias_forbids_tokens_in_process_and_over_http() {
        tern::GenerationParams p;
        p.max_tokens = 1;
        p.stop_at_eog = false;
        const int32_t first = in_process(p).at(0);
        // Forbid the greedy first token, in each of the accepted spellings.
        const json spellings[] = {json::array({json::array({first, false})}),
                                  json::array({json::array({first, -1e300})}),
                                  json{{std::to_string(first), false}}};
        p.max_tokens = 10;
        p.sampling.logit_bias = {{first, -INFINITY}};
        const auto expected = in_process(p);
        QVERIFY(std::find(expected.begin(), expected.end(), first) == expected.end());
        for (const auto& lb : spellings) {
            json body = {{"prompt", prompt_}, {"n_predict", 10}, {"temperature", 0}, {"ignore_eos", true},
                         {"logit_bias", lb}, {"return_tokens", true}};
            const auto r = th::post(server_->port(), "/completion", body.dump());
            QCOMPARE(r.status, 200);
            const auto got = json::parse(r.body)["tokens"].get<std::vector<int32_t>>();
            QCOMPARE(got, expected);
        }
        // Seeded sampling with the byte tokens forbidden: none of them comes out.
        json body = {{"prompt", prompt_}, {"n_predict", 40}, {"temperature", 1.5}, {"top_k", 0}, {"top_p", 1.0},
                     {"seed", 7}, {"ignore_eos", true}, {"logit_bias", byte_tokens_forbidden()}, {"return_tokens", true}};
        const auto sampled = json::parse(th::post(server_->port(), "/completion", body.dump()).body)["tokens"].get<std::vector<int32_t>>();
        QCOMPARE(sampled.size(), size_t(40));
        for (int32_t id : sampled) QVERIFY2(id < 3 || id > 258, qPrintable(QString("byte token %1 drawn").arg(id)));
    }

    void bad_input_gets_a_json_error_and_the_server_keeps_serving() {
        srv::ServeOptions o;
        o.n_ctx = 16;
        o.max_body_bytes = 2048;
        RunningServer s(model_, o);
        const uint16_t port = s.port();
        struct Case { const char* what; std::string target, body; int status; };
        const std::vector<Case> cases = {
            {"truncated JSON", "/completion", R"({"prompt": [1, 2)", 400},
            {"not an object", "/completion", "[1,2,3]", 400},
            {"no prompt", "/completion", R"({"n_predict": 4})", 400},
            {"prompt of the wrong type", "/completion", R"({"prompt": 5})", 400},
            {"prompt with a non-integer", "/completion", R"({"prompt": [1, "a"]})", 400},
            {"empty prompt", "/completion", R"({"prompt": []})", 400},
            {"token outside the vocabulary", "/completion", R"({"prompt": [1, 999999]})", 400},
            {"negative token", "/completion", R"({"prompt": [1, -4]})", 400},
            {"n_predict of the wrong type", "/completion", R"({"prompt": [1], "n_predict": "six"})", 400},
            {"n_predict below -1", "/completion", R"({"prompt": [1], "n_predict": -5})", 400},
            {"temperature of the wrong type", "/completion", R"({"prompt": [1], "temperature": "hot"})", 400},
            {"stream of the wrong type", "/completion", R"({"prompt": [1], "stream": "yes"})", 400},
            {"seed of the wrong type", "/completion", R"({"prompt": [1], "seed": 1.5})", 400},
            {"logit_bias of the wrong type", "/completion", R"({"prompt": [1], "logit_bias": 3})", 400},
            {"logit_bias outside the vocabulary", "/completion", R"({"prompt": [1], "logit_bias": [[70000, false]]})", 400},
            {"prompt longer than the context", "/completion", json{{"prompt", std::vector<int>(16, 300)}}.dump(), 400},
            {"v1 max_tokens of the wrong type", "/v1/completions", R"({"prompt": [1], "max_tokens": [6]})", 400},
            {"tokenize without content", "/tokenize", R"({"text": "x"})", 400},
            {"oversize body", "/completion", json{{"prompt", std::string(4000, 'a')}}.dump(), 413},
            {"unknown path", "/nope", "{}", 404},
        };
        uint64_t errors = s.server->stats().client_errors;
        for (const auto& c : cases) {
            check_error(th::post(port, c.target, c.body), c.status, c.what);
            if (QTest::currentTestFailed()) return;
            QCOMPARE(s.server->stats().client_errors, ++errors);
            QCOMPARE(th::get(port, "/health").status, 200);
        }
        check_error(th::get(port, "/completion"), 405, "wrong method");
        // Not HTTP at all: a 400 and the connection closed.
        const std::string garbage = th::raw(port, "THIS IS NOT HTTP\r\n\r\n");
        QVERIFY2(garbage.rfind("HTTP/1.1 400", 0) == 0, garbage.c_str());
        // Still serving generation, not only /health.
        const auto ok = th::post(port, "/completion", R"({"prompt": [1, 300], "n_predict": 2, "ignore_eos": true})");
        QCOMPARE(ok.status, 200);
        QCOMPARE(json::parse(ok.body)["tokens_predicted"].get<int>(), 2);
    }

    void full_queue_is_503_and_a_client_that_leaves_frees_its_slot() {
        srv::ServeOptions o;
        o.parallel = 1;
        o.max_queue = 0;
        o.n_ctx = 200000;  // the long request runs until the client leaves (minutes otherwise)
        RunningServer s(model_, o);
        const uint16_t port = s.port();
        {
            OpenStream longest(port, {{"prompt", prompt_}, {"n_predict", -1}, {"ignore_eos", true}, {"stream", true},
                                      {"temperature", 0}});
            QVERIFY(longest.read_until("\"tokens_predicted\":2"));
            check_error(th::post(port, "/completion", R"({"prompt": [1, 300], "n_predict": 2})"), 503, "queue full");
            QCOMPARE(s.server->stats().rejected_busy, uint64_t(1));
        }  // the socket closes: the client is gone
        // The scheduler lowers in_flight after it hands the end to the io thread, which counts
        // the cancel: wait for both, then say which one is off.
        wait_for([&] {
            return s.server->in_flight() == 0 && s.server->stats().cancelled == 1 && s.server->stats().disconnects == 1;
        });
        QCOMPARE(s.server->in_flight(), 0);
        QCOMPARE(s.server->stats().disconnects, uint64_t(1));
        QCOMPARE(s.server->stats().cancelled, uint64_t(1));
        const auto next = th::post(port, "/completion", R"({"prompt": [1, 300], "n_predict": 3, "ignore_eos": true})");
        QCOMPARE(next.status, 200);
        QCOMPARE(json::parse(next.body)["tokens_predicted"].get<int>(), 3);
    }

    void stop_ends_streams_and_leaves_no_thread() {
        // A joined thread leaves /proc/self/task a moment after pthread_join returns, so the
        // count before may still include the previous test's threads: "at most" that many after,
        // once this server's have left.
        const int threads_before = thread_count();
        {
            srv::ServeOptions o;
            o.n_ctx = 200000;
            RunningServer s(model_, o);
            OpenStream open(s.port(), {{"prompt", prompt_}, {"n_predict", -1}, {"ignore_eos", true}, {"stream", true}});
            QVERIFY(open.read_until("\"tokens_predicted\":1"));
            s.shutdown();  // returns only once every connection is answered and closed
            QVERIFY(open.read_until("0\r\n\r\n"));  // the stream was ended properly: last chunk
            QVERIFY(open.received.find("\"stop\":true") != std::string::npos);
            QCOMPARE(s.server->stats().cancelled, uint64_t(1));
        }
        wait_for([&] { return thread_count() <= threads_before; });
        QVERIFY2(thread_count() <= threads_before,
                 qPrintable(QString("%1 threads after stop, %2 before").arg(thread_count()).arg(threads_before)));
    }

    void cli_prints_its_port_and_exits_on_signals() {
        for (const int sig : {SIGTERM, SIGINT}) {
            QProcess p;
            p.start(TB_TERNBENCH_EXE, {"serve", "--model", QString::fromStdString(kModel), "--port", "0", "-t", "1"});
            QVERIFY(p.waitForStarted());
            QVERIFY(p.waitForReadyRead(120000));
            const QString line = QString::fromUtf8(p.readLine()).trimmed();
            const QRegularExpression re("^ternbench serve: listening on http://127\\.0\\.0\\.1:(\\d+)$");
            const auto m = re.match(line);
            QVERIFY2(m.hasMatch(), qPrintable(line));
            const uint16_t port = static_cast<uint16_t>(m.captured(1).toUInt());
            QCOMPARE(th::get(port, "/health").status, 200);
            QCOMPARE(th::post(port, "/completion", R"({"prompt": "hi", "n_predict": 2})").status, 200);
            ::kill(static_cast<pid_t>(p.processId()), sig);
            QVERIFY(p.waitForFinished(120000));
            QCOMPARE(p.exitStatus(), QProcess::NormalExit);
            QCOMPARE(p.exitCode(), sig == SIGINT ? 130 : 0);
        }
    }

    void cli_refuses_a_port_in_use_and_a_missing_model() {
        th::net::io_context io;
        th::tcp::acceptor taken(io, th::tcp::endpoint(th::net::ip::make_address("127.0.0.1"), 0));
        const auto port = QString::number(taken.local_endpoint().port());
        QProcess p;
        p.start(TB_TERNBENCH_EXE, {"serve", "--model", QString::fromStdString(kModel), "--port", port, "-t", "1"});
        QVERIFY(p.waitForFinished(120000));
        QCOMPARE(p.exitCode(), 1);
        QVERIFY(QString::fromUtf8(p.readAllStandardError()).contains("cannot listen on 127.0.0.1:" + port));
        p.start(TB_TERNBENCH_EXE, {"serve", "--model", "/nonexistent/model.gguf", "--port", "0"});
        QVERIFY(p.waitForFinished(120000));
        QCOMPARE(p.exitCode(), 3);
        QVERIFY(QString::fromUtf8(p.readAllStandardError()).contains("/nonexistent/model.gguf"));
    }
};

QTEST_GUILESS_MAIN(TestServe)
#include "test_serve.moc"
