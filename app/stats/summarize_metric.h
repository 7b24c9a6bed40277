#pragma once
// Turns the raw values of one quantity into the named summary figures the store, the JSON
// output and the reports use (issue 5, "Machine-readable output"). For a base NAME:
//   NAME            mean (like llama-bench's avg_ts)     NAME_median, NAME_stddev (n - 1),
//   NAME_min, NAME_max, NAME_ci95_low, NAME_ci95_high   (95% CI of the mean, Student t)
//   NAME_p50, NAME_p90, NAME_p95, NAME_p99, NAME_p999   (linear interpolation; missing with a
//                                                        note below the minimum sample count)
// Every figure carries the unit of the values (stddev and CI too) and n = finite values used.
// A figure that cannot be computed is present with an empty value and a note, never invented.
#include <string>
#include <vector>

#include "db/run_record.h"

namespace bench {

struct SummarizeOptions {
    bool mean = true;          // NAME itself
    bool spread = true;        // _median _stddev _min _max _ci95_low _ci95_high
    bool percentiles = true;   // _p50 ... _p999
    std::vector<double> percentile_list = {50, 90, 95, 99, 99.9};
};

std::vector<tbdb::Metric> summarize_metric(const std::string& name, const std::string& unit,
                                           const std::vector<double>& values,
                                           const SummarizeOptions& opt = {});

// One figure (value may be empty: then give the note).
tbdb::Metric make_metric(const std::string& name, std::optional<double> value, const std::string& unit,
                         int64_t n, const std::string& note = {});

}  // namespace bench
