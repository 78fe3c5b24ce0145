// Anomaly scores of a value against a baseline window: how many spreads the
// value lies from the baseline's centre, by three methods.
//
//   z     mean and sample standard deviation: for well-behaved gauges;
//   mad   median and median absolute deviation (scaled by 1.4826, so it
//         estimates the standard deviation of normal data): one spike in
//         the baseline does not hide the next;
//   ewma  an exponentially weighted mean and deviation, recent samples
//         weighing most: for series that drift.
//
// Pure functions over values (no Redis): the alert evaluator and
// `redkit ts anomalies` read the baseline and call these. A baseline too
// short to have a spread and a flat one (zero spread) get explicit outcomes,
// never a division by zero or a NaN.
#pragma once

#include <cstddef>
#include <optional>
#include <span>

namespace redkit::analytics {

enum class AnomalyMethod { z, mad, ewma };

struct AnomalyOptions {
  AnomalyMethod method = AnomalyMethod::z;
  // The value is anomalous when it lies more than this many spreads from
  // the centre (strictly). Must be positive and finite.
  double sensitivity = 3.0;
  // Fewer baseline values than this give insufficient_baseline (at least 2).
  std::size_t min_baseline = 2;
  // ewma: the weight of each new value, in (0, 1].
  double ewma_alpha = 0.3;
};

enum class AnomalyOutcome {
  normal,
  anomalous,
  // Fewer than min_baseline values: nothing can be said.
  insufficient_baseline,
};

struct AnomalyScore {
  AnomalyOutcome outcome = AnomalyOutcome::insufficient_baseline;
  // (value - centre) / spread; nullopt when the baseline is insufficient or
  // flat (spread 0).
  std::optional<double> score{};
  double centre = 0;  // mean, median or weighted mean
  double spread = 0;  // standard deviation, scaled MAD or weighted deviation
  std::size_t baseline_count = 0;
  // The baseline has no spread: any value other than its centre is then
  // anomalous (it is infinitely many spreads away), the centre is normal.
  bool flat = false;
};

// Throws InvalidArgument naming the bad option.
void validate(const AnomalyOptions& options);

// Scores `value` against `baseline` (values in time order, which only ewma
// uses). Non-finite baseline values are not allowed (the store holds none);
// a non-finite value is refused too. Throws InvalidArgument.
AnomalyScore score_anomaly(std::span<const double> baseline, double value, const AnomalyOptions& options);


}  // namespace redkit::analytics
