// The import use case (app/core/store_import.h) that `ternbench import` and the Baselines page
// both call: a second import of a file adds nothing and names its runs as already stored; a
// bad file and a store that refuses writes are told apart, and nothing is half-stored.
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include "app/core/store_import.h"
#include "db/run_store.h"

using namespace bench;

namespace {
const std::string kLlamaBenchJson = std::string(TB_FIXTURES_DIR) + "/llama-bench/llamacpp-tiny-tq2_0.json";
}

class TestStoreImport : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void second_import_is_already_stored() {
        const std::string db = dir_.filePath("twice.sqlite").toStdString();
        tbdb::RunStore store(db);
        const auto first = import_into_store(store, kLlamaBenchJson);
        QVERIFY2(!first.failed(), first.error.c_str());
        QVERIFY(!first.imported_ids.empty());
        QVERIFY(first.already_stored_ids.empty());
        QCOMPARE(first.format, ImportFormat::LlamaBenchJson);

        const auto second = import_into_store(store, kLlamaBenchJson);
        QVERIFY2(!second.failed(), second.error.c_str());
        QVERIFY(second.imported_ids.empty());
        QCOMPARE(second.already_stored_ids, first.imported_ids);
        QCOMPARE(store.count_runs(), static_cast<int64_t>(first.imported_ids.size()));

        const auto totals = import_totals({first, second});
        QCOMPARE(totals.imported, static_cast<int>(first.imported_ids.size()));
        QCOMPARE(totals.already_stored, static_cast<int>(first.imported_ids.size()));
        QCOMPARE(totals.failed_files, 0);
    }

    void bad_file_is_an_input_failure() {
        tbdb::RunStore store(dir_.filePath("bad.sqlite").toStdString());
        const auto missing = import_into_store(store, dir_.filePath("none.json").toStdString());
        QCOMPARE(missing.failure, ImportFailure::Input);
        QVERIFY(missing.error.find("none.json") != std::string::npos);
        const std::string junk = dir_.filePath("junk.csv").toStdString();
        std::ofstream(junk) << "not,a\nresults,file\n";
        const auto unknown = import_into_store(store, junk);
        QCOMPARE(unknown.failure, ImportFailure::Input);
        QCOMPARE(store.count_runs(), int64_t{0});
        QCOMPARE(import_totals({missing, unknown}).failed_files, 2);
    }

    void read_only_store_is_a_store_failure() {
        const std::string db = dir_.filePath("ro.sqlite").toStdString();
        { tbdb::RunStore make(db); }
        tbdb::RunStore store(db, true);
        const auto outcome = import_into_store(store, kLlamaBenchJson);
        QCOMPARE(outcome.failure, ImportFailure::Store);
        QVERIFY(outcome.imported_ids.empty());
        QCOMPARE(store.count_runs(), int64_t{0});
    }
};

QTEST_GUILESS_MAIN(TestStoreImport)
#include "test_store_import.moc"
