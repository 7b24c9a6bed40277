#pragma once
// Bridges a completion request to the Scheduler: its callbacks arrive on the Scheduler's
// thread and are posted to the I/O thread, in order; the I/O context is kept running until
// the request is done.
#include <functional>

#include <boost/asio/io_context.hpp>

#include "app/server/completion_request.h"
#include "engine/runtime/scheduler.h"

namespace bench::server {

using TokenHandler = std::function<void(const tern::TokenEvent&)>;
using DoneHandler = std::function<void(const tern::GenerationResult&)>;

// on_token for every generated token, then on_done exactly once, both on `io`'s thread.
tern::Scheduler::RequestId submit_completion(tern::Scheduler& scheduler, boost::asio::io_context& io,
                                             const CompletionRequest& req, TokenHandler on_token,
                                             DoneHandler on_done);

}  // namespace bench::server
