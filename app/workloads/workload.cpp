#include "app/workloads/workload.h"

#include <map>

namespace bench {

WorkloadFn find_workload(const std::string& name) {
    static const std::map<std::string, WorkloadFn> table = {
        {"single", run_single}, {"stream", run_stream},   {"batch", run_batch},
        {"server", run_server}, {"load", run_load},       {"scaling", run_scaling},
        {"pp", run_pp},         {"tg", run_tg},           {"kernel", run_kernel},
        {"perplexity", run_perplexity},
    };
    auto it = table.find(name);
    return it == table.end() ? nullptr : it->second;
}

bool workload_needs_model(const std::string& name) { return name != "load"; }

}  // namespace bench
