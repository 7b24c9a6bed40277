#include "app/core/store_import.h"

#include <map>

#include "db/run_store.h"

namespace bench {

FileImportOutcome import_into_store(tbdb::RunStore& store, const std::string& path, const ImportOptions& options) {
    FileImportOutcome out;
    out.file = path;
    ImportResult parsed;
    try {
        parsed = import_file(path, options);
    } catch (const std::exception& e) {
        out.failure = ImportFailure::Input;
        out.error = e.what();
        return out;
    }
    out.format = parsed.format;
    out.warnings = std::move(parsed.warnings);
    try {
        // A run whose uuid is stored already (or repeats within the file) is not inserted again:
        // a second insert would only hit the store's UNIQUE constraint and fail the whole file.
        std::vector<tbdb::RunRecord> fresh;
        std::map<std::string, size_t> fresh_by_uuid;     // uuid -> index in fresh
        std::vector<std::string> repeated_in_file;
        for (auto& run : parsed.runs) {
            if (!run.uuid.empty()) {
                if (auto existing = store.load_run(run.uuid)) {
                    const bool unfinished = existing->status == tbdb::RunStatus::Running ||
                                            existing->status == tbdb::RunStatus::Interrupted;
                    if (!unfinished || run.status == tbdb::RunStatus::Running) {
                        out.already_stored_ids.push_back(existing->id);
                        continue;
                    }
                    store.delete_run(existing->id);
                    out.replaced_ids.push_back(existing->id);
                }
                if (fresh_by_uuid.count(run.uuid)) {
                    repeated_in_file.push_back(run.uuid);
                    continue;
                }
                fresh_by_uuid[run.uuid] = fresh.size();
            }
            fresh.push_back(std::move(run));
        }
        out.imported_ids = store.insert_runs(fresh);
        for (const auto& uuid : repeated_in_file) out.already_stored_ids.push_back(out.imported_ids[fresh_by_uuid[uuid]]);
    } catch (const std::exception& e) {
        out.imported_ids.clear();
        out.already_stored_ids.clear();
        out.failure = ImportFailure::Store;
        out.error = path + ": " + e.what();
    }
    return out;
}

ImportTotals import_totals(const std::vector<FileImportOutcome>& outcomes) {
    ImportTotals t;
    for (const auto& o : outcomes) {
        t.imported += static_cast<int>(o.imported_ids.size());
        t.already_stored += static_cast<int>(o.already_stored_ids.size());
        if (o.failed()) ++t.failed_files;
    }
    return t;
}

}  // namespace bench
