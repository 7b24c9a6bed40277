#pragma once
// The import use case, shared by `ternbench import` and the window's Baselines page: read a
// results file (app/legacy/importer.h) and store its runs, skipping runs the store already
// holds (same uuid: imported runs carry one derived from their content, or their own for our
// exports), so importing a file twice adds nothing and loses nothing.
#include <cstdint>
#include <string>
#include <vector>

#include "app/legacy/importer.h"

namespace tbdb {
class RunStore;
}

namespace bench {

enum class ImportFailure {
    None,
    Input,   // the file is missing, unreadable or in no known format: nothing from it is stored
    Store,   // the store refused the runs (locked, read-only, corrupt): nothing from it is stored
};

struct FileImportOutcome {
    std::string file;
    ImportFormat format = ImportFormat::Auto;
    std::vector<int64_t> imported_ids;         // runs added by this import
    std::vector<int64_t> already_stored_ids;   // runs of the file the store already held
    // Unfinished rows (running / interrupted) the file's finished run of the same uuid replaced:
    // a run whose final write failed was kept in a file beside the store (app/core/run_saver.h).
    std::vector<int64_t> replaced_ids;
    std::vector<std::string> warnings;
    ImportFailure failure = ImportFailure::None;
    std::string error;                         // what went wrong, naming the file

    bool failed() const { return failure != ImportFailure::None; }
};

// All runs of one file are stored in one transaction, or none. Never throws for a bad file or
// a store error: the outcome says which.
FileImportOutcome import_into_store(tbdb::RunStore& store, const std::string& path,
                                    const ImportOptions& options = {});

// Totals over several files' outcomes.
struct ImportTotals {
    int imported = 0;
    int already_stored = 0;
    int failed_files = 0;
};
ImportTotals import_totals(const std::vector<FileImportOutcome>& outcomes);

}  // namespace bench
