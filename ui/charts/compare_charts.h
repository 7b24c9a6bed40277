#pragma once
// Charts of the Compare page, rebuilt from the loaded runs:
// - grouped bars: the key figures of every run relative to the reference run (= 1.0), the
//   ratio on each bar (hover shows the absolute value), so figures of different units share one axis;
// - latency CDF: the per-request end-to-end latencies of every run, overlaid.
#include <vector>

#include "db/run_record.h"

class QChart;

namespace tbui {

void fill_relative_bar_chart(QChart* chart, const std::vector<tbdb::RunRecord>& runs);
// Returns the number of runs that had request latencies to plot.
int fill_latency_cdf_chart(QChart* chart, const std::vector<tbdb::RunRecord>& runs);

}  // namespace tbui
