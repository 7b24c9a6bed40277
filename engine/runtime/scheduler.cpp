// Continuous batching on one thread: each loop admits queued requests (their prompts are
// prefilled together in one forward call), then advances every active sequence by one token
// in one batched forward call, then retires the finished ones. Sequences never wait for each
// other to finish: they join and leave between steps.
#include "engine/runtime/scheduler.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>

#include "engine/model/forward.h"
#include "engine/base/error.h"
#include "engine/runtime/generation_state.h"
#include "engine/model/kv_cache.h"
#include "engine/runtime/session.h"
#include "engine/base/thread_pool.h"

namespace tern {

namespace {
struct Sequence {
    Scheduler::RequestId id = 0;
    SchedulerRequest req;
    std::unique_ptr<KvCache> kv;
    std::unique_ptr<GenerationState> state;
    std::atomic<bool> cancel{false};
    int32_t next_token = 0;
};
}  // namespace

struct Scheduler::Impl {
    std::shared_ptr<const Model> model;
    SchedulerOptions opts;
    int64_t n_ctx = 0;
    ThreadPool pool;
    ForwardWorkspace ws;

    mutable std::mutex m;
    std::condition_variable cv_work, cv_idle;
    std::deque<std::unique_ptr<Sequence>> queue;
    std::vector<std::unique_ptr<Sequence>> active;  // owned by the loop thread
    std::unordered_set<RequestId> cancel_ids;
    bool cancel_everything = false;
    bool stopping = false;
    size_t n_active = 0;  // active.size(), readable under m
    RequestId next_id = 1;
    std::thread thread;

    Impl(std::shared_ptr<const Model> mdl, SchedulerOptions o)
        : model(std::move(mdl)), opts(o), n_ctx(default_context(model->hparams(), o.n_ctx)), pool(o.threads) {
        if (opts.max_batch < 1) opts.max_batch = 1;
        thread = std::thread([this] { loop(); });
    }

    static void done(Sequence& s) {
        if (s.req.on_done) s.req.on_done(s.state->result());
    }

    // Moves cancellation requests onto the sequences; returns queued sequences to retire.
    std::vector<std::unique_ptr<Sequence>> take_cancelled_and_admit(std::vector<Sequence*>& admitted) {
        std::vector<std::unique_ptr<Sequence>> dropped;
        std::lock_guard lk(m);
        for (auto it = queue.begin(); it != queue.end();) {
            if (cancel_everything || stopping || cancel_ids.count((*it)->id)) {
                cancel_ids.erase((*it)->id);
                dropped.push_back(std::move(*it));
                it = queue.erase(it);
            } else {
                ++it;
            }
        }
        for (auto& s : active)
            if (cancel_everything || stopping || cancel_ids.count(s->id)) s->cancel = true;
        cancel_ids.clear();
        cancel_everything = false;
        while (static_cast<int>(active.size()) < opts.max_batch && !queue.empty()) {
            active.push_back(std::move(queue.front()));
            queue.pop_front();
            admitted.push_back(active.back().get());
        }
        n_active = active.size();
        return dropped;
    }

    // Prepares newly admitted sequences; those that cannot run are finished here.
    std::vector<Sequence*> start(const std::vector<Sequence*>& admitted) {
        std::vector<Sequence*> ready;
        for (Sequence* s : admitted) {
            const int64_t n = static_cast<int64_t>(s->req.prompt.size());
            try {
                if (s->cancel) { s->state->finish(StopReason::Cancelled); continue; }
                s->state->prefill_started();
                if (n == 0) throw Error("the prompt has no tokens");
                if (n > n_ctx) {
                    s->state->prefill_done();
                    s->state->finish(StopReason::ContextFull, "context full: 0 + " + std::to_string(n) +
                                                                  " tokens > n_ctx " + std::to_string(n_ctx));
                    continue;
                }
                s->kv = std::make_unique<KvCache>(model->hparams(), n_ctx, opts.kv_f16 ? KvType::F16 : KvType::F32);
                const SeqBatch one[] = {{s->kv.get(), s->req.prompt, false}};
                validate_batch(*model, one);
                ready.push_back(s);
            } catch (const Error& e) {
                s->state->finish(StopReason::Error, e.what());
            }
        }
        return ready;
    }

    // One forward call over the new prompts (prefill) and the next token of every running
    // sequence (decode), then one sampling step for each of them.
    void step(const std::vector<Sequence*>& admitted) {
        const std::vector<Sequence*> fresh = start(admitted);
        std::vector<Sequence*> seqs;
        std::vector<SeqBatch> batch;
        for (Sequence* s : fresh) {
            seqs.push_back(s);
            batch.push_back({s->kv.get(), s->req.prompt, false});
        }
        const size_t n_fresh = seqs.size();
        for (auto& s : active) {
            if (s->state->finished() || !s->kv || std::find(admitted.begin(), admitted.end(), s.get()) != admitted.end())
                continue;
            seqs.push_back(s.get());
            batch.push_back({s->kv.get(), std::span<const int32_t>(&s->next_token, 1), false});
        }
        if (batch.empty()) return;
        try {
            forward(*model, batch, pool, ws);
        } catch (const Error& e) {
            for (Sequence* s : seqs) s->state->finish(StopReason::Error, e.what());
            return;
        }
        for (size_t i = 0; i < n_fresh; ++i) seqs[i]->state->prefill_done();
        const std::vector<Draw> drawn = draw_all(seqs);
        for (size_t i = 0; i < seqs.size(); ++i) {
            Sequence* s = seqs[i];
            if (!drawn[i].error.empty()) {
                s->state->finish(StopReason::Error, drawn[i].error);
                continue;
            }
            const auto next = s->state->step_drawn(drawn[i].id, &s->cancel, s->kv->n_past, s->kv->n_ctx);
            if (next) s->next_token = *next;
        }
    }

    struct Draw {
        int32_t id = 0;
        std::string error;
    };

    // Each sequence samples from its own logits row with its own sampler, so the batch samples
    // on all pool threads at once (a full-vocabulary top-p draw takes ~0.3 ms, which at eight
    // sequences was ~7 % of a decode step done on one thread). Tokens are reported afterwards,
    // in order, from this thread.
    std::vector<Draw> draw_all(const std::vector<Sequence*>& seqs) {
        std::vector<Draw> drawn(seqs.size());
        pool.parallel_for(static_cast<int64_t>(seqs.size()), 1, [&](int64_t b, int64_t e) {
            for (int64_t i = b; i < e; ++i) {
                Sequence* s = seqs[static_cast<size_t>(i)];
                if (!s->state->wants_token(&s->cancel)) continue;
                try {
                    drawn[static_cast<size_t>(i)].id = s->state->draw(sequence_logits(*model, ws, static_cast<size_t>(i)));
                } catch (const std::exception& e) {  // the pool's jobs must not throw
                    drawn[static_cast<size_t>(i)].error = e.what();
                }
            }
        });
        return drawn;
    }

    void retire() {
        std::vector<std::unique_ptr<Sequence>> finished;
        for (auto it = active.begin(); it != active.end();) {
            if ((*it)->state->finished()) {
                finished.push_back(std::move(*it));
                it = active.erase(it);
            } else {
                ++it;
            }
        }
        for (auto& s : finished) done(*s);
        std::lock_guard lk(m);
        n_active = active.size();
        if (queue.empty() && active.empty()) cv_idle.notify_all();
    }

    void loop() {
        for (;;) {
            {
                std::unique_lock lk(m);
                cv_work.wait(lk, [&] { return stopping || !queue.empty() || !active.empty(); });
                if (stopping && queue.empty() && active.empty()) break;
            }
            std::vector<Sequence*> admitted;
            auto dropped = take_cancelled_and_admit(admitted);
            for (auto& s : dropped) {
                s->state->finish(StopReason::Cancelled);
                done(*s);
            }
            // Newly admitted sequences get their first token from their prefill; the others
            // advance by one token; both in the same forward call.
            step(admitted);
            retire();
            std::lock_guard lk(m);
            if (queue.empty() && active.empty()) cv_idle.notify_all();
        }
        std::lock_guard lk(m);
        cv_idle.notify_all();
    }
};

Scheduler::Scheduler(std::shared_ptr<const Model> model, SchedulerOptions opts)
    : impl_(std::make_unique<Impl>(std::move(model), opts)) {}

Scheduler::~Scheduler() {
    {
        std::lock_guard lk(impl_->m);
        impl_->stopping = true;
    }
    impl_->cv_work.notify_all();
    impl_->thread.join();
}

Scheduler::RequestId Scheduler::submit(SchedulerRequest req) {
    auto s = std::make_unique<Sequence>();
    s->req = std::move(req);
    s->state = std::make_unique<GenerationState>(impl_->model->tokenizer(), s->req.params, s->req.on_token,
                                                 static_cast<int>(s->req.prompt.size()), Clock::now());
    RequestId id;
    {
        std::lock_guard lk(impl_->m);
        id = impl_->next_id++;
        s->id = id;
        if (impl_->stopping) s->cancel = true;
        impl_->queue.push_back(std::move(s));
    }
    impl_->cv_work.notify_all();
    return id;
}

void Scheduler::cancel(RequestId id) {
    {
        std::lock_guard lk(impl_->m);
        impl_->cancel_ids.insert(id);
    }
    impl_->cv_work.notify_all();
}

void Scheduler::cancel_all() {
    {
        std::lock_guard lk(impl_->m);
        impl_->cancel_everything = true;
    }
    impl_->cv_work.notify_all();
}

void Scheduler::wait_idle() {
    std::unique_lock lk(impl_->m);
    impl_->cv_idle.wait(lk, [&] { return impl_->queue.empty() && impl_->n_active == 0; });
}

size_t Scheduler::in_flight() const {
    std::lock_guard lk(impl_->m);
    return impl_->queue.size() + impl_->n_active;
}

}  // namespace tern
