// AnomalyDetector: the values read through the store (alert/rule_windows
// for aggregated steps, a raw range otherwise), scored by
// analytics/anomaly.hpp.
#include <cmath>

#include <fmt/format.h>

#include "alert/rule_windows.hpp"
#include "analytics/anomaly.hpp"
#include "common/enum_names.hpp"
#include "common/unix_time.hpp"
#include "redkit/ts_anomalies.hpp"

namespace redkit::ts {
namespace {

constexpr ::redkit::detail::EnumNames<AnomalyVerdict, 4> kVerdictNames{{
    {AnomalyVerdict::normal, "normal"},
    {AnomalyVerdict::anomalous, "anomalous"},
    {AnomalyVerdict::insufficient_baseline, "insufficient_baseline"},
    {AnomalyVerdict::no_data, "no_data"},
}};

void validate(const AnomalyQuery& query) {
  if (query.series.empty() == query.filters.empty()) {
    throw InvalidArgument("anomaly query: give a series or label filters, not both and not neither");
  }
  if (query.baseline.count() <= 0) {
    throw InvalidArgument(fmt::format("anomaly query: baseline {} ms is not positive", query.baseline.count()));
  }
  if (query.step.count() < 0) {
    throw InvalidArgument(fmt::format("anomaly query: step {} ms is negative", query.step.count()));
  }
  if (!(query.sensitivity > 0) || !std::isfinite(query.sensitivity)) {
    throw InvalidArgument(fmt::format("anomaly query: sensitivity {} is not a positive number", query.sensitivity));
  }
  if (query.min_baseline < 2) {
    throw InvalidArgument(fmt::format("anomaly query: min_baseline {} is below 2", query.min_baseline));
  }
}

analytics::AnomalyMethod method_of(AnomalyMethod method) {
  switch (method) {
    case AnomalyMethod::mad:
      return analytics::AnomalyMethod::mad;
    case AnomalyMethod::ewma:
      return analytics::AnomalyMethod::ewma;
    default:
      return analytics::AnomalyMethod::z;
  }
}

AnomalyFinding finding_of(std::string series, Labels labels, std::optional<Sample> scored,
                          const std::vector<double>& baseline, const AnomalyQuery& query) {
  AnomalyFinding out{.series = std::move(series), .labels = std::move(labels)};
  out.baseline_count = baseline.size();
  if (!scored) return out;
  out.value = scored->value;
  out.timestamp = scored->timestamp;
  const analytics::AnomalyScore score = analytics::score_anomaly(
      baseline, scored->value,
      {.method = method_of(query.method), .sensitivity = query.sensitivity, .min_baseline = query.min_baseline});
  out.verdict = score.outcome == analytics::AnomalyOutcome::anomalous ? AnomalyVerdict::anomalous
                : score.outcome == analytics::AnomalyOutcome::normal  ? AnomalyVerdict::normal
                                                                      : AnomalyVerdict::insufficient_baseline;
  out.score = score.score;
  out.centre = score.centre;
  out.spread = score.spread;
  out.flat = score.flat;
  return out;
}


// step 0: the newest sample is scored against the raw ones before it.
AnomalyFinding split_raw(std::string series, Labels labels, const std::vector<Sample>& samples,
                         const AnomalyQuery& query) {
  if (samples.empty()) return finding_of(std::move(series), std::move(labels), std::nullopt, {}, query);
  std::vector<double> baseline;
  baseline.reserve(samples.size() - 1);
  for (std::size_t i = 0; i + 1 < samples.size(); ++i) baseline.push_back(samples[i].value);
  return finding_of(std::move(series), std::move(labels), samples.back(), baseline, query);
}

}  // namespace

const char* to_string(AnomalyVerdict verdict) noexcept { return ::redkit::detail::name_of(kVerdictNames, verdict); }

AnomalyDetector::AnomalyDetector(Client client, AlertRulesOptions options)
    : client_(std::move(client)), options_(std::move(options)) {}

std::vector<AnomalyFinding> AnomalyDetector::check(const AnomalyQuery& query) const {
  validate(query);
  const Store store(client_, StoreOptions{.prefix = options_.prefix, .default_series = {}});
  const Timestamp at = query.at.value_or(::redkit::detail::unix_ms_now());
  std::vector<AnomalyFinding> out;
  if (query.step.count() == 0) {
    const RangeOptions raw{.from = at - query.baseline.count(), .to = at};
    if (!query.series.empty()) {
      Labels labels = store.info(query.series).labels;
      out.push_back(split_raw(query.series, std::move(labels), store.range(query.series, raw), query));
      return out;
    }
    for (SeriesSamples& series : store.mrange(query.filters, raw)) {
      out.push_back(split_raw(std::move(series.name), std::move(series.labels), series.samples, query));
    }
    return out;
  }
  if (!query.series.empty() && !store.exists(query.series)) {
    throw SeriesNotFound(fmt::format("time series '{}' does not exist", query.series));
  }
  const AlertRule rule{.name = "anomalies",
                       .series = query.series,
                       .filters = query.filters,
                       .window = query.step,
                       .aggregator = query.aggregator,
                       .condition = AlertCondition::anomalous,
                       .baseline = query.baseline,
                       .method = query.method,
                       .sensitivity = query.sensitivity};
  for (auto& [series, reading] : alert::read_windows(store, rule, at)) {
    std::optional<Sample> scored;
    if (reading.value) scored = Sample{at, *reading.value};
    out.push_back(finding_of(series, std::move(reading.labels), scored, reading.baseline, query));
  }
  return out;
}

}  // namespace redkit::ts
