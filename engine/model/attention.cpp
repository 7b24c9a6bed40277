#include "engine/model/attention.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <vector>

#include "engine/model/kv_cache.h"
#include "engine/base/thread_pool.h"

namespace tern {

namespace {
constexpr int64_t kQueryBlock = 16;

struct Task { int64_t seq, head, row0, row1; };

// The query rows of one task against the keys/values of one KV head (T = float or F16 bits),
// each row over the keys at positions 0..pos. A task's rows are one sequence's consecutive
// positions (row r + 1 sees one key more than row r), which is what attend_rows_* takes.
template <class T, class AttendRows>
void attend(const Task& task, const float* q, float* out, int64_t q_stride, int64_t hd, float scale,
            const ForwardWorkspace& ws, float* scores, const T* keys, const T* values, AttendRows attend_rows) {
    const int64_t r = task.row0;
    attend_rows(q + r * q_stride + task.head * hd, q_stride, task.row1 - r, keys, values, ws.row_pos[r] + 1, hd,
                scale, scores, out + r * q_stride + task.head * hd, q_stride);
}
}  // namespace

void attention_layer(const KernelSet& ks, ThreadPool& pool, const HParams& hp, int64_t layer,
                     std::span<const SeqBatch> batch, const float* q, float* out,
                     ForwardWorkspace& ws) {
    const int64_t hd = hp.head_dim, n_head = hp.n_head;
    const int64_t group = hp.n_head / hp.n_head_kv;
    const int64_t q_stride = n_head * hd;
    const float scale = 1.0f / std::sqrt(static_cast<float>(hd));

    // Tasks are few (sequences x heads x row blocks); a small local list is cheap next to the
    // attention itself, but keep it in a thread_local to avoid reallocating per layer.
    thread_local std::vector<Task> tasks_storage;
    std::vector<Task>& tasks = tasks_storage;  // the caller's list (workers must not see their own)
    tasks.clear();
    int64_t max_ctx = 0, work = 0;
    for (size_t s = 0; s < batch.size(); ++s) {
        const int64_t r0 = ws.seq_row0[s], n = static_cast<int64_t>(batch[s].tokens.size());
        max_ctx = std::max(max_ctx, batch[s].kv->n_ctx);
        work += n * (batch[s].kv->n_past + n) * n_head * hd * 2;  // upper bound of the MACs
        for (int64_t h = 0; h < n_head; ++h)
            for (int64_t b = 0; b < n; b += kQueryBlock)
                tasks.push_back({static_cast<int64_t>(s), h, r0 + b, r0 + std::min(n, b + kQueryBlock)});
    }
    const int n_threads = pool.size();
    const int64_t scratch = 4 * (max_ctx + kQueryBlock);  // KernelSet::attend_rows_*
    if (ws.scores.size() < static_cast<size_t>(scratch * n_threads))
        ws.scores.resize(static_cast<size_t>(scratch * n_threads));

    std::atomic<size_t> next{0};
    auto body = [&](int t, int) {
        float* scores = ws.scores.data() + static_cast<size_t>(t * scratch);
        for (size_t i = next.fetch_add(1); i < tasks.size(); i = next.fetch_add(1)) {
            const Task& task = tasks[i];
            const KvCache& kv = *batch[task.seq].kv;
            const int64_t base = kv.offset(layer, task.head / group, 0);
            if (kv.type == KvType::F16)
                attend(task, q, out, q_stride, hd, scale, ws, scores, kv.k_f16() + base, kv.v_f16() + base,
                       ks.attend_rows_f16);
            else
                attend(task, q, out, q_stride, hd, scale, ws, scores, kv.k_f32() + base, kv.v_f32() + base,
                       ks.attend_rows_f32);
        }
    };
    // Short contexts: waking the pool costs more than the attention itself.
    if (work < (int64_t(1) << 17)) body(0, 1);
    else pool.run(body);
}

}  // namespace tern
