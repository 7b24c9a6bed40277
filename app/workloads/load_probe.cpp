#include "app/workloads/load_probe.h"

#include <chrono>
#include <iostream>

#include <nlohmann/json.hpp>

#include "app/system/proc_status.h"
#include "engine/model/model.h"
#include "engine/runtime/generate.h"
#include "engine/runtime/session.h"

namespace bench {
namespace {
int64_t steady_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

int run_load_probe(const LoadProbeArgs& args) {
    nlohmann::json out;
    out["t_main_ns"] = steady_ns();
    try {
        tern::LoadOptions lo;
        lo.kernel = args.kernel;
        lo.threads = args.threads;
        auto model = tern::Model::load(args.model_path, lo);
        out["t_loaded_ns"] = steady_ns();
        tern::SessionOptions so;
        so.threads = args.threads;
        tern::Session session(model, so);
        const auto& tok = model->tokenizer();
        auto prompt = tok.encode("Hello", tok.vocab().add_bos);
        tern::GenerationParams gp;
        gp.max_tokens = 1;
        gp.stop_at_eog = false;
        tern::generate(session, prompt, gp);
        out["t_first_token_ns"] = steady_ns();
        const auto& st = model->load_stats();
        out["load_ms"] = st.total_ms;
        out["map_ms"] = st.map_ms;
        out["repack_ms"] = st.repack_ms;
        out["kernel"] = model->kernels().name;
        if (auto ps = sys::read_proc_status()) {
            out["vm_hwm_mb"] = ps->vm_hwm_mb;
            out["rss_anon_mb"] = ps->rss_anon_mb;
            out["rss_file_mb"] = ps->rss_file_mb;
        }
        std::cout << out.dump() << std::endl;
        return 0;
    } catch (const std::exception& e) {
        std::cout << nlohmann::json{{"error", e.what()}}.dump() << std::endl;
        return 1;
    }
}

}  // namespace bench
