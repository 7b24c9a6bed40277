#include "app/server/completion_job.h"

#include <memory>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

namespace bench::server {

namespace net = boost::asio;

tern::Scheduler::RequestId submit_completion(tern::Scheduler& scheduler, net::io_context& io,
                                             const CompletionRequest& req, TokenHandler on_token,
                                             DoneHandler on_done) {
    // The guard keeps io.run() from returning while the request may still post events.
    auto guard = std::make_shared<net::executor_work_guard<net::io_context::executor_type>>(io.get_executor());
    tern::SchedulerRequest sr;
    sr.prompt = req.prompt;
    sr.params = req.params;
    sr.on_token = [&io, on_token = std::move(on_token)](const tern::TokenEvent& ev) {
        net::post(io, [on_token, ev] { on_token(ev); });
    };
    sr.on_done = [&io, guard, on_done = std::move(on_done)](const tern::GenerationResult& r) {
        net::post(io, [guard, on_done, r] {
            on_done(r);
            guard->reset();
        });
    };
    return scheduler.submit(std::move(sr));
}

}  // namespace bench::server
