#pragma once
// The latency workloads' requests sent to an HTTP server: each submit() opens a connection
// and POSTs a streamed completion of the prompt's token ids; every token event is timestamped
// on arrival (the client's steady clock, in the completion handler of the read that delivered
// it), so TTFT, ITL and E2E are what a client of the server sees. Transport failures, HTTP
// errors, error events inside a 200 stream, malformed or over-long events and stalls end the
// request with StopReason::Error and a message naming the problem.
#include <functional>
#include <memory>
#include <vector>

#include "app/http/completion_api.h"
#include "app/http/http_client.h"
#include "app/workloads/request_sink.h"

namespace bench::http {

struct HttpSinkOptions {
    Endpoint endpoint;
    ApiKind api = ApiKind::Completion;
    HttpLimits limits;
    std::vector<int32_t> forbid_tokens;   // sent as logit_bias
    // Called (from the sink's thread) when a request ends with the server's own timings.
    std::function<void(tern::Clock::time_point submitted, const ServerTimings&)> on_timings;
};

class HttpSink final : public RequestSink {
public:
    explicit HttpSink(HttpSinkOptions opts);
    ~HttpSink() override;  // cancels what is in flight and joins its thread
    void submit(tern::SchedulerRequest req) override;
    void cancel_all() override;

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace bench::http
