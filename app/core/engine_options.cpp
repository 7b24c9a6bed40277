#include "app/core/engine_options.h"

#include "engine/kernels/kernel_set.h"

namespace bench {

tern::SessionOptions session_options(const BenchmarkSpec& spec, int threads) {
    tern::SessionOptions so;
    so.threads = threads;
    so.n_ctx = spec.n_ctx;
    so.kv_f16 = spec.kv_type == KvType::F16;
    return so;
}

tern::SchedulerOptions scheduler_options(const BenchmarkSpec& spec, int threads, int max_batch) {
    tern::SchedulerOptions so;
    so.max_batch = max_batch;
    so.threads = threads;
    so.n_ctx = spec.n_ctx;
    so.kv_f16 = spec.kv_type == KvType::F16;
    return so;
}

std::vector<std::string> kernel_choices() {
    std::vector<std::string> out = {"auto"};
    for (const tern::KernelSet* k : tern::available_kernels()) out.emplace_back(k->name);
    return out;
}

}  // namespace bench
