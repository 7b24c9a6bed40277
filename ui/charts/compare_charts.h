#pragma once
// Charts of the Compare page, rebuilt from the loaded runs:
// - grouped bars: the key figures of every run relative to the reference run (= 1.0), the
//   ratio on each bar (hover shows the absolute value), so figures of different units share one axis;
// - latency CDFs: per-request end-to-end latency, time to first token, or every inter-token gap
//   of every run, overlaid (runs measured over HTTP say so in the legend).
#include <vector>

#include "db/run_record.h"

class QChart;

namespace tbui {

void fill_relative_bar_chart(QChart* chart, const std::vector<tbdb::RunRecord>& runs);
// Returns the number of runs that had request latencies to plot.
enum class LatencyQuantity { E2E, TTFT, ITL };
int fill_latency_cdf_chart(QChart* chart, const std::vector<tbdb::RunRecord>& runs,
                           LatencyQuantity quantity = LatencyQuantity::E2E);

}  // namespace tbui
