#include "app/reports/baseline_resolve.h"

#include <algorithm>
#include <cctype>

#include "app/reports/pairing.h"

namespace bench {
namespace {

ResolvedBaseline of_run(const tbdb::RunStore& store, int64_t id) {
    ResolvedBaseline b;
    if (auto run = store.load_run(id)) {
        b.runs.push_back(std::move(*run));
        b.label = "run #" + std::to_string(id);
    } else {
        b.error = "no baseline run " + std::to_string(id) + " in " + store.path();
    }
    return b;
}

ResolvedBaseline of_implementation(const tbdb::RunStore& store, const std::string& impl) {
    ResolvedBaseline b;
    tbdb::RunFilter f;
    f.implementation = impl;
    for (const auto& s : store.list_runs(f))
        if (auto run = store.load_run(s.id)) b.runs.push_back(std::move(*run));
    b.label = "implementation " + impl;
    return b;
}

ResolvedBaseline of_pin(const tbdb::RunStore& store) {
    const auto pin = store.current_baseline();
    if (!pin) return {};
    ResolvedBaseline b;
    if (pin->run_id) {
        b = of_run(store, *pin->run_id);
        if (!b.ok()) return {};   // the pinned run was deleted: as if nothing were pinned
    } else if (pin->implementation) {
        b = of_implementation(store, *pin->implementation);
    }
    b.pinned = true;
    if (!b.label.empty()) b.label += " (pinned)";
    return b;
}

}  // namespace

ResolvedBaseline resolve_baseline(const tbdb::RunStore& store, const std::string& ref) {
    if (ref.empty()) return of_pin(store);
    if (std::all_of(ref.begin(), ref.end(), [](unsigned char c) { return std::isdigit(c); })) {
        if (ref.size() > 18) {
            ResolvedBaseline b;
            b.error = "no baseline run " + ref + " in " + store.path();
            return b;
        }
        return of_run(store, std::stoll(ref));
    }
    return of_implementation(store, ref);
}

ResolvedBaseline resolve_baseline(const tbdb::RunStore& store, std::optional<int64_t> run_id) {
    return run_id ? of_run(store, *run_id) : of_pin(store);
}

CompareSelection select_compare_runs(const tbdb::RunStore& store, const std::vector<int64_t>& ids) {
    CompareSelection out;
    for (int64_t id : ids) {
        if (auto run = store.load_run(id)) out.runs.push_back(std::move(*run));
        else {
            // Appended piece by piece, not "literal" + std::string&&: GCC 12 -Wrestrict false positive.
            if (!out.note.empty()) out.note += ' ';
            out.note += "Run #";
            out.note += std::to_string(id);
            out.note += " no longer exists.";
        }
    }
    if (ids.size() != 1 || out.runs.size() != 1) return out;
    const ResolvedBaseline base = resolve_baseline(store, std::optional<int64_t>());
    if (base.runs.empty()) {
        out.note = "No pinned baseline to compare with: pin a run or an implementation first.";
        return out;
    }
    const BaselinePairing pairing = pair_with_baseline(out.runs[0], base.runs);
    if (!pairing.baseline) {
        out.note = "Baseline " + base.label + ": " + pairing.explanation() + ".";
        return out;
    }
    tbdb::RunRecord reference = *pairing.baseline;
    out.runs.insert(out.runs.begin(), std::move(reference));
    if (pairing.matched_by_name) out.note = "Model matched by file name and parameter count (no sha256 on one side).";
    return out;
}

}  // namespace bench
