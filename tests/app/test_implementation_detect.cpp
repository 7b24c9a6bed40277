// Implementations told apart (issue 14): upstream llama.cpp, bitnet.cpp and ik_llama.cpp from
// what their llama-bench prints, an unknown fork under a name of its own, mixed files, the
// fork's switches and extra program flags in the configuration key, and `baseline run -- FLAGS`.
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app/legacy/implementation_detect.h"
#include "app/legacy/importer.h"
#include "app/legacy/llama_bench_runner.h"
#include "app/reports/run_config.h"
#include "db/run_store.h"
#include "helpers/executable_helper.h"

using namespace bench;
using json = nlohmann::json;

namespace {

const std::string kLb = std::string(TB_FIXTURES_DIR) + "/llama-bench/";

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

QString q(const std::string& s) { return QString::fromStdString(s); }

std::string detected_by(const tbdb::RunRecord& r) {
    return json::parse(r.config_json).value("implementation_detected_by", std::string());
}

bool any_warning_has(const ImportResult& r, const std::string& text) {
    for (const auto& w : r.warnings)
        if (w.find(text) != std::string::npos) return true;
    return false;
}

}  // namespace

class TestImplementationDetect : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void ik_llama_fixture_is_ik_llama() {
        const auto res = import_file(kLb + "ik_llama-1b3-iq2_bn.json");
        QCOMPARE(res.runs.size(), size_t(2));
        for (const auto& r : res.runs) {
            QCOMPARE(q(r.implementation), QString("ik_llama.cpp"));
            QCOMPARE(q(r.impl_version), QString("8337e4cd3"));
            QVERIFY2(detected_by(r).find("repack") != std::string::npos, detected_by(r).c_str());
            // The fork's own speed switches are part of its configuration.
            const std::string key = run_config(r).key();
            QVERIFY2(key.find("repack=0") != std::string::npos, key.c_str());
            QVERIFY2(key.find("use_thp=0") != std::string::npos, key.c_str());
            QVERIFY2(key.find("flash_attn=1") != std::string::npos, key.c_str());
        }
        QVERIFY(res.warnings.empty());
    }

    void llama_cpp_and_bitnet_cpp_keep_theirs_in_every_format() {
        for (const char* ext : {"json", "jsonl", "csv", "sql"}) {
            const auto res = import_file(kLb + "llamacpp-tiny-tq2_0." + ext);
            for (const auto& r : res.runs) QCOMPARE(q(r.implementation), QString("llama.cpp"));
            QVERIFY2(res.warnings.empty(), ext);
        }
        for (const char* ext : {"json", "csv", "sql"}) {
            const auto res = import_file(kLb + "bitnetcpp-tiny-i2_s." + ext);
            for (const auto& r : res.runs) QCOMPARE(q(r.implementation), QString("bitnet.cpp"));
            QVERIFY2(res.warnings.empty(), ext);
        }
    }

    void unknown_fork_gets_a_name_of_its_own_and_a_warning() {
        json lines = json::parse(read_file(kLb + "llamacpp-tiny-tq2_0.json"));
        for (auto& l : lines) {
            l["turbo_mode"] = 1;   // a switch no known llama-bench prints
            l["build_commit"] = "0badf00d1";
        }
        const auto res = import_text(lines.dump(), "fork.json");
        for (const auto& r : res.runs) {
            QVERIFY2(r.implementation != "llama.cpp" && r.implementation != "bitnet.cpp" &&
                         r.implementation != "ik_llama.cpp",
                     r.implementation.c_str());
            QVERIFY2(r.implementation.find("turbo_mode") != std::string::npos, r.implementation.c_str());
            QVERIFY2(run_config(r).key().find("turbo_mode=1") != std::string::npos, run_config(r).key().c_str());
        }
        QCOMPARE(res.warnings.size(), size_t(1));   // one per field set, not one per test
        QVERIFY2(any_warning_has(res, "match no known implementation"), res.warnings[0].c_str());
        QVERIFY2(any_warning_has(res, "4 tests"), res.warnings[0].c_str());
    }

    void fields_matching_nothing_import_with_a_warning_naming_the_missing_fields() {
        json lines = json::parse(read_file(kLb + "llamacpp-tiny-tq2_0.json"));
        for (auto& l : lines) {
            for (const char* k : {"backends", "devices", "n_depth"}) l.erase(k);
            l["build_commit"] = "0badf00d1";
        }
        const auto res = import_text(lines.dump(), "stripped.json");
        QCOMPARE(res.runs.size(), size_t(4));
        for (const auto& r : res.runs) QVERIFY2(r.implementation.find("unidentified") != std::string::npos, r.implementation.c_str());
        QVERIFY(any_warning_has(res, "backends"));
        QVERIFY(any_warning_has(res, "repack"));
        QVERIFY(any_warning_has(res, "kompute"));
    }

    void mixed_file_keeps_each_runs_implementation() {
        json mixed = json::array();
        for (const auto& name : {"ik_llama-1b3-iq2_bn.json", "llamacpp-tiny-tq2_0.json", "bitnetcpp-tiny-i2_s.json"})
            for (const auto& l : json::parse(read_file(kLb + name))) mixed.push_back(l);
        const auto res = import_text(mixed.dump(), "mixed.json");
        QCOMPARE(res.runs.size(), size_t(8));
        QCOMPARE(q(res.runs[0].implementation), QString("ik_llama.cpp"));
        QCOMPARE(q(res.runs[2].implementation), QString("llama.cpp"));
        QCOMPARE(q(res.runs[6].implementation), QString("bitnet.cpp"));
    }

    void version_text_and_server_build_info() {
        ProgramReport ik;
        ik.version_text = "version: 4840 (8337e4cd3)\nbuilt with cc (Debian 12.2.0-14) 12.2.0 for x86_64-linux-gnu";
        QCOMPARE(q(detect_implementation(ik).name), QString("ik_llama.cpp"));
        ProgramReport server;   // llama-server's /props
        server.fields = {{"build_info", "b10587-3f545becc"}, {"model_ftype", "TQ2_0 - 2.06 bpw ternary"}};
        QCOMPARE(q(detect_implementation(server).name), QString("llama.cpp"));
        ProgramReport bitnet;
        bitnet.fields = {{"build_info", "b3947-99999999"}, {"model_ftype", "I2_S - 2 bpw ternary"}};
        QCOMPARE(q(detect_implementation(bitnet).name), QString("bitnet.cpp"));
        ProgramReport named;
        named.version_text = "ik_llama.cpp version: 1 (abcdef0)";
        QCOMPARE(q(detect_implementation(named).name), QString("ik_llama.cpp"));
    }

    // `baseline run -- -rtr 1`: the flags reach the program, are stored with the run, and make
    // another configuration than the same run without them.
    void extra_program_flags_are_stored_and_part_of_the_key() {
        const QString fake = QString::fromStdString(tbtest::executable_helper(dir_.path(), "fake-llama-bench.sh"));
        qputenv("FAKE_LLAMA_BENCH_JSON", QByteArray(kLb.c_str()) + "ik_llama-1b3-iq2_bn.json");
        LlamaBenchRunSpec spec;
        spec.program = fake.toStdString();
        spec.model_path = std::string(TB_FIXTURES_DIR) + "/tiny-tq2_0.gguf";
        spec.threads = 2;
        spec.n_prompt = 16;   // what the recorded output ran: the runner refuses other parameters
        spec.n_gen = 8;
        spec.extra_args = {"-rtr", "1"};
        const auto args = llama_bench_args(spec);
        QCOMPARE(q(args[args.size() - 2]), QString("-rtr"));
        tbdb::RunStore store(dir_.filePath("rtr.sqlite").toStdString());
        const auto with = run_llama_bench(spec, store);
        QVERIFY2(with.ok(), with.error.c_str());
        spec.extra_args.clear();
        const auto without = run_llama_bench(spec, store);
        QVERIFY2(without.ok(), without.error.c_str());
        const auto stored = store.load_run(with.runs[0].id);
        QVERIFY(stored);
        QCOMPARE(q(stored->implementation), QString("ik_llama.cpp"));
        QCOMPARE(json::parse(stored->config_json)["extra_args"], json({"-rtr", "1"}));
        const RunConfig a = run_config(*stored), b = run_config(*store.load_run(without.runs[0].id));
        QVERIFY2(a.key().find("args=-rtr 1") != std::string::npos, a.key().c_str());
        QVERIFY(a.key() != b.key());
        QCOMPARE(q(a.experiment_key()), q(b.experiment_key()));   // same experiment, other setup

        // The CLI passes everything after `--` through.
        QProcess p;
        p.start(TB_TERNBENCH_EXE, {"baseline", "run", "--llama-bench", fake, "--model",
                                   QString(TB_FIXTURES_DIR) + "/tiny-tq2_0.gguf", "--db", dir_.filePath("cli.sqlite"),
                                   "-p", "16", "-n", "8", "-t", "2", "--json", "--", "-rtr", "1"});
        QVERIFY(p.waitForFinished(60000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        tbdb::RunStore cli(dir_.filePath("cli.sqlite").toStdString());
        const auto runs = cli.list_runs();
        QVERIFY(!runs.empty());
        const auto first = cli.load_run(runs.front().id);
        QCOMPARE(json::parse(first->config_json)["extra_args"], json({"-rtr", "1"}));
        qunsetenv("FAKE_LLAMA_BENCH_JSON");
    }
};

QTEST_GUILESS_MAIN(TestImplementationDetect)
#include "test_implementation_detect.moc"
