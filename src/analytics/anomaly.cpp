#include "analytics/anomaly.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "redkit/error.hpp"

namespace redkit::analytics {
namespace {

// Scale of the median absolute deviation to the standard deviation of
// normally distributed data (1 / Φ⁻¹(3/4)).
constexpr double kMadToSigma = 1.482602218505602;

double median_of(std::vector<double> values) {
  const std::size_t middle = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(middle), values.end());
  const double upper = values[middle];
  if (values.size() % 2 == 1) {
    return upper;
  }
  const double lower = *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(middle));
  return lower + (upper - lower) / 2;
}

struct CentreAndSpread {
  double centre;
  double spread;
};

// Mean, then the sample standard deviation from the deviations (two passes:
// no cancellation, never negative).
CentreAndSpread mean_and_deviation(std::span<const double> values) {
  double sum = 0;
  for (double v : values) sum += v;
  const double mean = sum / static_cast<double>(values.size());
  double squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  return {mean, std::sqrt(squares / static_cast<double>(values.size() - 1))};
}

CentreAndSpread median_and_mad(std::span<const double> values) {
  const double median = median_of({values.begin(), values.end()});
  std::vector<double> deviations;
  deviations.reserve(values.size());
  for (double v : values) deviations.push_back(std::fabs(v - median));
  return {median, kMadToSigma * median_of(std::move(deviations))};
}

// The exponentially weighted mean and variance after the whole baseline,
// the first value seeding the mean.
CentreAndSpread weighted(std::span<const double> values, double alpha) {
  double mean = values.front();
  double variance = 0;
  for (std::size_t i = 1; i < values.size(); ++i) {
    const double deviation = values[i] - mean;
    mean += alpha * deviation;
    variance = (1 - alpha) * (variance + alpha * deviation * deviation);
  }
  return {mean, std::sqrt(variance)};
}

}  // namespace

void validate(const AnomalyOptions& options) {
  if (!(options.sensitivity > 0) || !std::isfinite(options.sensitivity)) {
    throw InvalidArgument(fmt::format("anomaly sensitivity {} is not a positive number of spreads",
                                      options.sensitivity));
  }
  if (options.min_baseline < 2) {
    throw InvalidArgument(fmt::format("anomaly min_baseline {} is below 2 (a spread needs two values)",
                                      options.min_baseline));
  }
  if (!(options.ewma_alpha > 0 && options.ewma_alpha <= 1)) {
    throw InvalidArgument(fmt::format("anomaly ewma_alpha {} is not in (0, 1]", options.ewma_alpha));
  }
}

AnomalyScore score_anomaly(std::span<const double> baseline, double value, const AnomalyOptions& options) {
  validate(options);
  if (!std::isfinite(value)) {
    throw InvalidArgument(fmt::format("anomaly score of a non-finite value {}", value));
  }
  for (double v : baseline) {
    if (!std::isfinite(v)) {
      throw InvalidArgument(fmt::format("anomaly baseline holds a non-finite value {}", v));
    }
  }
  AnomalyScore out;
  out.baseline_count = baseline.size();
  if (baseline.size() < options.min_baseline) {
    return out;
  }
  CentreAndSpread cs{};
  switch (options.method) {
    case AnomalyMethod::z:
      cs = mean_and_deviation(baseline);
      break;
    case AnomalyMethod::mad:
      cs = median_and_mad(baseline);
      break;
    case AnomalyMethod::ewma:
      cs = weighted(baseline, options.ewma_alpha);
      break;
  }
  out.centre = cs.centre;
  out.spread = cs.spread;
  if (cs.spread == 0) {
    out.flat = true;
    out.outcome = value == cs.centre ? AnomalyOutcome::normal : AnomalyOutcome::anomalous;
    return out;
  }
  out.score = (value - cs.centre) / cs.spread;
  out.outcome = std::fabs(*out.score) > options.sensitivity ? AnomalyOutcome::anomalous : AnomalyOutcome::normal;
  return out;
}

}  // namespace redkit::analytics
