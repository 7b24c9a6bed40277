#pragma once
// How much of the memory roof decode reaches (issue #12's "decode >= 80 % of the read
// bandwidth"), measured inside the tg run itself: the VM this project runs on swings between
// ~30 and ~44 GB/s from minute to minute, so a roof read in another run, minutes away, says
// little about this one.
#include <memory>
#include <vector>

#include "app/workloads/workload.h"

namespace bench {

// Reads the model's weights once (tern::measure_weight_read_gbs) on `threads` threads and
// keeps the figure; call it right before each timed repetition.
class DecodeRoofProbe {
public:
    explicit DecodeRoofProbe(const WorkloadContext& ctx);
    ~DecodeRoofProbe();
    void measure();
    // Adds decode_weight_gbs (weight bytes per token x each repetition's tok/s),
    // weights_read_gbs (the probe before each repetition) and decode_roof_pct (median of the
    // first over median of the second; missing, with both figures, if above 100 %).
    // `tok_s`: the repetitions' rates, in the order measure() was called.
    void add_metrics(WorkloadContext& ctx, const std::vector<double>& tok_s) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace bench
