// Host and process facts: /proc parsers, sha256, the sha cache, prompts files, child processes.
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include "app/core/benchmark_spec.h"
#include "app/core/prompt_file.h"
#include "app/metrics/interference_metrics.h"
#include "app/system/child_process.h"
#include "app/system/host_info.h"
#include "app/system/model_file.h"
#include "app/system/proc_status.h"
#include "app/system/sha256.h"
#include "app/system/system_cpu.h"

#include <nlohmann/json.hpp>

using namespace bench;

class TestSystem : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void proc_status_parse() {
        const char* text = "Name:\tx\nVmHWM:\t  20480 kB\nVmRSS:\t   10240 kB\nRssAnon:\t    4096 kB\n"
                           "RssFile:\t    6144 kB\nThreads:\t3\n";
        auto s = sys::parse_proc_status(text);
        QVERIFY(s.has_value());
        QCOMPARE(s->vm_hwm_mb, 20.0);
        QCOMPARE(s->vm_rss_mb, 10.0);
        QCOMPARE(s->rss_anon_mb, 4.0);
        QCOMPARE(s->rss_file_mb, 6.0);
        QCOMPARE(s->threads, 3);
        QVERIFY(!sys::parse_proc_status("Name:\tx\n").has_value());
        auto self = sys::read_proc_status();
        QVERIFY(self && self->vm_hwm_mb > 0 && self->threads >= 1);
    }

    void system_cpu_parse() {
        const char* text = "cpu  100 5 50 1000 7 3 2 40 0 0\ncpu0 50 2 25 500 3 1 1 20 0 0\nintr 12345\n";
        auto c = sys::parse_proc_stat(text);
        QVERIFY(c.has_value());
        QCOMPARE(c->user, uint64_t(100));
        QCOMPARE(c->steal, uint64_t(40));
        QCOMPARE(c->total(), uint64_t(1207));
        QCOMPARE(c->busy(), uint64_t(160));
        // The aggregate line after others; too few columns; no cpu line; garbage numbers.
        QVERIFY(sys::parse_proc_stat("intr 1\ncpu  1 2 3 4 5 6 7 8\n").has_value());
        QVERIFY(!sys::parse_proc_stat("cpu  1 2 3 4\n").has_value());
        QVERIFY(!sys::parse_proc_stat("cpu0 1 2 3 4 5 6 7 8\n").has_value());
        QVERIFY(!sys::parse_proc_stat("cpu  1 2 x 4 5 6 7 8\n").has_value());
        QVERIFY(!sys::read_system_cpu(dir_.filePath("missing").toStdString()).has_value());
        const auto now = sys::read_system_cpu();
        QVERIFY(now && now->total() > 0);
    }

    void cpu_interference_shares() {
        sys::SystemCpu a, b;
        b.user = 120;   // 150 busy ticks of 200, 10 stolen; this process used 1 s = 100 ticks
        b.system = 30;
        b.idle = 40;
        b.steal = 10;
        auto r = sys::cpu_interference(a, b, 1.0, 100.0);
        QVERIFY(r.has_value());
        QCOMPARE(r->steal_pct, 5.0);
        QCOMPARE(r->other_pct, 25.0);
        // Tick rounding that leaves this process more than the machine's busy time: no one else.
        QCOMPARE(sys::cpu_interference(a, b, 2.0, 100.0)->other_pct, 0.0);
        QVERIFY(!sys::cpu_interference(a, a, 0.0, 100.0).has_value());  // no tick passed
    }

    void interference_metrics_stored_or_missing() {
        // A measured window stores both shares; one too short to read stores both as missing
        // with the reason (a CI run failed when the short run simply had no such metric).
        std::vector<tbdb::Metric> got;
        metrics::add_interference_metrics(got, sys::CpuInterference{5.0, 25.0});
        QCOMPARE(got.size(), size_t(2));
        QCOMPARE(got[0].name, std::string("cpu_other_pct"));
        QCOMPARE(*got[0].value, 25.0);
        QCOMPARE(got[1].name, std::string("cpu_steal_pct"));
        QCOMPARE(*got[1].value, 5.0);
        got.clear();
        metrics::add_interference_metrics(got, std::nullopt);
        QCOMPARE(got.size(), size_t(2));
        for (const auto& m : got) {
            QVERIFY(!m.value.has_value());
            QVERIFY(m.note.find("clock tick") != std::string::npos);
        }
    }

    void cpu_topology_counts() {
        const char* info = "processor\t: 0\nphysical id\t: 0\ncore id\t: 0\n\n"
                           "processor\t: 1\nphysical id\t: 0\ncore id\t: 0\n\n"
                           "processor\t: 2\nphysical id\t: 0\ncore id\t: 1\n\n"
                           "processor\t: 3\nphysical id\t: 0\ncore id\t: 1\n";
        QCOMPARE(sys::count_logical_cores(info), 4);
        QCOMPARE(sys::count_physical_cores(info), 2);
        auto h = sys::collect_host_info();
        QVERIFY(h.logical_cores >= 1 && h.physical_cores >= 1 && !h.kernel.empty());
    }

    void sha256_known_answers() {
        QCOMPARE(sys::sha256_hex(""), std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        QCOMPARE(sys::sha256_hex("abc"), std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QCOMPARE(sys::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                 std::string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
        sys::Sha256 h;  // a million 'a', fed in uneven pieces
        std::string chunk(997, 'a');
        size_t left = 1000000;
        while (left) { size_t n = std::min(left, chunk.size()); h.update(chunk.data(), n); left -= n; }
        QCOMPARE(h.finish_hex(), std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
    }

    void sha256_file_cache() {
        qputenv("TERNBENCH_CACHE_DIR", dir_.filePath("cache").toUtf8());
        const std::string f = dir_.filePath("m.bin").toStdString();
        { std::ofstream(f) << "abc"; }
        QCOMPARE(sys::file_sha256(f), sys::sha256_hex("abc"));
        QVERIFY(QFile::exists(dir_.filePath("cache/sha256-cache.json")));
        QCOMPARE(sys::file_sha256(f), sys::sha256_hex("abc"));  // from the cache
        { std::ofstream(f) << "abcd"; }                          // size changes: rehash
        QCOMPARE(sys::file_sha256(f), sys::sha256_hex("abcd"));
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, sys::file_sha256(dir_.filePath("none").toStdString()));
        QVERIFY(sys::evict_from_page_cache(f).empty());
        QVERIFY(!sys::evict_from_page_cache(dir_.filePath("none").toStdString()).empty());
    }

    void prompts_file_lines_and_jsonl() {
        const std::string f = dir_.filePath("p.txt").toStdString();
        { std::ofstream(f) << "first prompt\n\n{\"prompt\": \"second\"}\n{\"text\": \"third\"}\r\n"; }
        auto p = load_prompts_file(f);
        QCOMPARE(p, (std::vector<std::string>{"first prompt", "second", "third"}));
        { std::ofstream(f) << "{\"other\": 1}\n"; }
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, load_prompts_file(f));
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, load_prompts_file(dir_.filePath("none").toStdString()));
    }

    void spec_round_trip_and_validation() {
        BenchmarkSpec s;
        QCOMPARE(s.effective_max_tokens(), 100);
        s.workload = "batch";
        QCOMPARE(s.effective_max_tokens(), 50);
        s.sweep_threads = {1, 2};
        s.prompts = {"a"};
        auto back = BenchmarkSpec::from_json(s.to_json());
        QCOMPARE(back.to_json().dump(), s.to_json().dump());
        QVERIFY(s.validate().empty());
        s.workload = "nope";
        QVERIFY(s.validate().find("nope") != std::string::npos);
        s.workload = "single";
        s.repetitions = 0;
        QVERIFY(!s.validate().empty());
        QCOMPARE(default_prompts().size(), size_t(5));
        QCOMPARE(workload_names().size(), size_t(10));
    }

    void child_process_outcomes() {
        auto ok = sys::run_child("/bin/sh", {"-c", "echo out; echo err >&2; exit 3"}, std::chrono::seconds(10));
        QVERIFY(ok.started);
        QCOMPARE(ok.exit_code, 3);
        QCOMPARE(ok.out, std::string("out\n"));
        QCOMPARE(ok.err, std::string("err\n"));
        auto sig = sys::run_child("/bin/sh", {"-c", "kill -KILL $$"}, std::chrono::seconds(10));
        QCOMPARE(sig.term_signal, 9);
        QVERIFY(sig.describe().find("SIGKILL") != std::string::npos);
        auto missing = sys::run_child("/no/such/program", {}, std::chrono::seconds(1));
        QVERIFY(!missing.started && !missing.describe().empty());
    }
};

QTEST_APPLESS_MAIN(TestSystem)
#include "test_system.moc"
