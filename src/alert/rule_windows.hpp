// What a rule reads at one evaluation: each series' window aggregate and,
// for anomaly rules, the baseline before it in window-wide buckets, with
// multi-series reads (mrange) for label filters. Shared by the alert
// evaluation and the on-demand anomaly check.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "redkit/time_series.hpp"
#include "redkit/ts_alerts.hpp"

namespace redkit::alert {

// One series' window (and baseline) at an evaluation.
struct Reading {
  ts::Labels labels{};
  std::optional<double> value{};
  std::vector<double> baseline{};
};

// By series name. A named series that does not exist reads as nothing
// (the rule's no-data policy decides); so do series without a sample.
std::map<std::string, Reading> read_windows(const ts::Store& store, const ts::AlertRule& rule, ts::Timestamp now);

}  // namespace redkit::alert
