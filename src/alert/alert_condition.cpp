#include "alert/alert_condition.hpp"

#include <cmath>

#include "analytics/anomaly.hpp"

namespace redkit::alert {
namespace {

analytics::AnomalyMethod method_of(ts::AnomalyMethod method) {
  switch (method) {
    case ts::AnomalyMethod::mad:
      return analytics::AnomalyMethod::mad;
    case ts::AnomalyMethod::ewma:
      return analytics::AnomalyMethod::ewma;
    case ts::AnomalyMethod::z:
      break;
  }
  return analytics::AnomalyMethod::z;
}

}  // namespace

Observation observe(const ts::AlertRule& rule, std::optional<double> value, std::span<const double> baseline) {
  if (!value) {
    return {};
  }
  const double v = *value;
  Observation out{.value = v};
  switch (rule.condition) {
    case ts::AlertCondition::above:
      out.breaching = v > rule.threshold;
      out.recovered = rule.resolve_threshold ? v <= *rule.resolve_threshold : !out.breaching;
      return out;
    case ts::AlertCondition::below:
      out.breaching = v < rule.threshold;
      out.recovered = rule.resolve_threshold ? v >= *rule.resolve_threshold : !out.breaching;
      return out;
    case ts::AlertCondition::equal:
      out.breaching = std::fabs(v - rule.threshold) <= rule.tolerance;
      break;
    case ts::AlertCondition::outside:
      out.breaching = v < rule.threshold || v > rule.threshold_high;
      break;
    case ts::AlertCondition::anomalous: {
      const analytics::AnomalyScore score = analytics::score_anomaly(
          baseline, v, {.method = method_of(rule.method), .sensitivity = rule.sensitivity});
      if (score.outcome == analytics::AnomalyOutcome::insufficient_baseline) {
        return {};
      }
      out.breaching = score.outcome == analytics::AnomalyOutcome::anomalous;
      break;
    }
  }
  out.recovered = !out.breaching;
  return out;
}

}  // namespace redkit::alert
