#include "app/reports/pairing.h"

#include <algorithm>

#include "app/reports/run_labels.h"

namespace bench {
namespace {

std::string setting_of(const std::vector<Setting>& list, const std::string& key, bool* found) {
    for (const auto& [k, v] : list)
        if (k == key) {
            *found = true;
            return v;
        }
    *found = false;
    return {};
}

// Differences of weight: a model or test difference makes a worse "nearest" than a thread count.
int distance(const ConfigMatch& m, const RunConfig& a, const RunConfig& b) {
    int d = 0;
    if (a.model_key() != b.model_key() && !m.matched_by_name) d += 8;
    if (a.test != b.test) d += a.workload == b.workload ? 3 : 6;
    if (a.threads != b.threads) d += 2;
    return d + static_cast<int>(m.differences.size());
}

}  // namespace

std::string ConfigMatch::differences_text() const {
    std::string s;
    for (const auto& d : differences) s += (s.empty() ? "" : ", ") + d;
    return s;
}

ConfigMatch match_configs(const RunConfig& cur, const RunConfig& base) {
    ConfigMatch m;
    // The model.
    if (!cur.model_sha256.empty() && !base.model_sha256.empty()) {
        if (cur.model_sha256 != base.model_sha256)
            m.differences.push_back(cur.model_file == base.model_file
                                        ? "other model file (same name " + cur.model_file + ", other sha256)"
                                        : "other model (" + cur.model_file + " vs " + base.model_file + ")");
    } else if (cur.model_file != base.model_file) {
        m.differences.push_back("other model (" + cur.model_file + " vs " + base.model_file + ")");
    } else if (cur.model_params > 0 && base.model_params > 0 && cur.model_params != base.model_params) {
        m.differences.push_back("other model (same name " + cur.model_file + ", " + std::to_string(cur.model_params) +
                                " vs " + std::to_string(base.model_params) + " parameters)");
    } else {
        m.matched_by_name = true;
    }
    // The test and its sizes.
    if (cur.test != base.test) m.differences.push_back(cur.test + " vs " + base.test);
    if (cur.threads != base.threads)
        m.differences.push_back(std::to_string(cur.threads) + " vs " + std::to_string(base.threads) + " threads");
    // Settings either side recorded: a setting only one side has is a difference too (a
    // sampler on a generating workload against a program that does not sample).
    std::vector<std::string> keys;
    for (const auto* list : {&cur.settings, &base.settings})
        for (const auto& [k, v] : *list)
            if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
    for (const auto& k : keys) {
        bool in_cur = false, in_base = false;
        const std::string a = setting_of(cur.settings, k, &in_cur), b = setting_of(base.settings, k, &in_base);
        if (in_cur && in_base && a != b) m.differences.push_back(k + " " + a + " vs " + b);
        // Recorded on one side only: worth naming when the tests are alike (another workload
        // already says it all).
        else if (in_cur != in_base && cur.workload == base.workload)
            m.differences.push_back(k + " " + (in_cur ? a : "not recorded") + " vs " + (in_base ? b : "not recorded"));
    }
    m.same = m.differences.empty();
    if (!m.same) m.matched_by_name = false;
    return m;
}

bool same_configuration(const RunConfig& a, const RunConfig& b) {
    return match_configs(a, b).same && a.implementation == b.implementation && a.switches == b.switches;
}

std::string BaselinePairing::explanation() const {
    if (baseline) return {};
    if (!nearest) return "no completed baseline to compare with";
    std::string s = "no baseline of the same configuration (nearest: #" + std::to_string(nearest->id) + " " +
                    implementation_label(*nearest);
    if (!differences.empty()) {
        s += ": ";
        for (size_t i = 0; i < differences.size(); ++i) s += (i ? ", " : "") + differences[i];
    }
    return s + ")";
}

BaselinePairing pair_with_baseline(const tbdb::RunRecord& run, const std::vector<tbdb::RunRecord>& candidates) {
    BaselinePairing out;
    const RunConfig mine = run_config(run);
    int best_near = -1;
    for (const auto& b : candidates) {
        if (b.status != tbdb::RunStatus::Completed) continue;
        if ((!run.uuid.empty() && b.uuid == run.uuid) || (run.id != 0 && b.id == run.id)) continue;
        const RunConfig theirs = run_config(b);
        const ConfigMatch m = match_configs(mine, theirs);
        if (m.same) {
            const bool better =
                !out.baseline || (out.matched_by_name && !m.matched_by_name) ||
                (out.matched_by_name == m.matched_by_name && b.started_at > out.baseline->started_at);
            if (better) {
                out.baseline = &b;
                out.matched_by_name = m.matched_by_name;
            }
            continue;
        }
        const int d = distance(m, mine, theirs);
        if (best_near < 0 || d < best_near || (d == best_near && b.started_at > out.nearest->started_at)) {
            best_near = d;
            out.nearest = &b;
            out.differences = m.differences;
        }
    }
    if (out.baseline) {
        out.nearest = nullptr;
        out.differences.clear();
    }
    return out;
}

}  // namespace bench
