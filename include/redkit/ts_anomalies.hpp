// redkit/ts_anomalies.hpp — on-demand anomaly detection: is the newest value
// of a series (or of every series matching label filters) unusual against
// the baseline before it?
//
//   redkit::ts::AnomalyDetector detector(client);
//   for (const auto& finding : detector.check({.filters = {"metric=cpu"}, .sensitivity = 3})) {
//     if (finding.verdict == redkit::ts::AnomalyVerdict::anomalous) ...
//   }
//
// The same scoring backs alert rules with AlertCondition::anomalous.
//
// Thread-safety: AnomalyDetector is safe to share between threads.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "redkit/client.hpp"
#include "redkit/ts_alerts.hpp"
#include "redkit/ts_types.hpp"

namespace redkit::ts {

struct AnomalyQuery {
  // One series by name, or every series whose labels match all the
  // filters. Exactly one of the two.
  std::string series{};
  std::vector<std::string> filters{};
  // How far back the baseline reaches before the scored value.
  std::chrono::milliseconds baseline{std::chrono::hours(24)};
  AnomalyMethod method = AnomalyMethod::z;
  // Anomalous beyond this many spreads (standard deviations, scaled MADs,
  // weighted deviations) from the baseline's centre. Positive.
  double sensitivity = 3;
  // step 0: the scored value is the series' newest sample at or before
  // `at`, and the baseline is the raw samples from at − baseline up to it.
  // step > 0: the scored value is `aggregator` over the step ending at
  // `at`, and the baseline is the same aggregate over step-wide buckets
  // on the epoch grid before it: a compaction rule of that width and
  // aggregator answers the baseline, so a 24 h baseline at 1 min reads
  // 1,440 values.
  std::chrono::milliseconds step{std::chrono::minutes(1)};
  Aggregator aggregator = Aggregator::avg;
  // Fewer baseline values than this: insufficient_baseline (at least 2).
  std::size_t min_baseline = 10;
  // Unix ms; nullopt: now.
  std::optional<Timestamp> at{};
};

enum class AnomalyVerdict {
  normal,
  anomalous,
  insufficient_baseline,  // fewer than min_baseline values before it
  no_data,                // nothing to score (no sample in the step)
};
const char* to_string(AnomalyVerdict verdict) noexcept;

struct AnomalyFinding {
  std::string series{};
  Labels labels{};
  AnomalyVerdict verdict = AnomalyVerdict::no_data;
  // The scored value and its time (step > 0: the end of the step).
  std::optional<double> value{};
  Timestamp timestamp = 0;
  // (value − centre) / spread; nullopt unless both exist and the spread is
  // not 0.
  std::optional<double> score{};
  double centre = 0;
  double spread = 0;
  std::size_t baseline_count = 0;
  // The baseline has no spread: any value other than its centre is
  // anomalous, the centre itself normal.
  bool flat = false;
};

class AnomalyDetector {
 public:
  // `options.prefix` as the store's (StoreOptions::prefix).
  explicit AnomalyDetector(Client client, AlertRulesOptions options = {});

  // One finding per series, by name. Throws InvalidArgument naming a bad
  // field of the query, SeriesNotFound for a named series that does not
  // exist.
  std::vector<AnomalyFinding> check(const AnomalyQuery& query) const;

 private:
  Client client_;
  AlertRulesOptions options_;
};

}  // namespace redkit::ts
