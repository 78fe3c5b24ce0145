// read_windows: a rule's window as one bucket exactly the window wide, and
// the baseline on the same grid, so that each baseline value compares with
// the window's value and a compaction rule of that width answers it.
#include "alert/rule_windows.hpp"

#include <algorithm>

#include "ts/aggregation.hpp"

namespace redkit::alert {

using namespace ::redkit::ts;

namespace {

// A single bucket that is exactly the window (now − width, now].
RangeOptions window_query(const AlertRule& rule, Timestamp now) {
  const Timestamp from = now - rule.window.count() + 1;
  return {.from = from,
          .to = now,
          .aggregation = Aggregation{
              .aggregator = rule.aggregator, .bucket = rule.window, .align = from, .quantile = rule.quantile}};
}

// The baseline: the window-wide buckets that end before the window starts,
// on the epoch grid, as many as fit in `baseline`. Each baseline value is
// the same aggregate over the same width as the window's value; and being
// on the epoch grid (as compaction rules' buckets are, and the window
// itself is not), a rule of that width and aggregator answers them.
RangeOptions baseline_query(const AlertRule& rule, Timestamp now) {
  const Timestamp width = rule.window.count();
  const Timestamp grid_end = ::redkit::ts::detail::bucket_start(now - width + 1, width, 0);
  const Timestamp buckets = std::max<Timestamp>(1, rule.baseline.count() / width);
  return {.from = grid_end - buckets * width,
          .to = grid_end - 1,
          .aggregation = Aggregation{
              .aggregator = rule.aggregator, .bucket = rule.window, .align = 0, .quantile = rule.quantile}};
}

std::vector<double> values_of(const std::vector<Sample>& samples) {
  std::vector<double> out;
  out.reserve(samples.size());
  for (const Sample& sample : samples) out.push_back(sample.value);
  return out;
}

}  // namespace

std::map<std::string, Reading> read_windows(const Store& store, const AlertRule& rule, Timestamp now) {
  std::map<std::string, Reading> readings;
  const RangeOptions window = window_query(rule, now);
  const bool anomalous = rule.condition == AlertCondition::anomalous;
  if (!rule.series.empty()) {
    try {
      Reading reading{.labels = store.info(rule.series).labels};
      const auto buckets = store.range(rule.series, window);
      if (!buckets.empty()) reading.value = buckets.back().value;
      if (anomalous) reading.baseline = values_of(store.range(rule.series, baseline_query(rule, now)));
      readings.emplace(rule.series, std::move(reading));
    } catch (const SeriesNotFound&) {
      // No series, no data: the rule's no-data policy decides.
    }
    return readings;
  }
  for (SeriesSamples& series : store.mrange(rule.filters, window, std::nullopt, LabelSelection::all())) {
    Reading& reading = readings[series.name];
    reading.labels = std::move(series.labels);
    if (!series.samples.empty()) reading.value = series.samples.back().value;
  }
  if (anomalous) {
    for (SeriesSamples& series : store.mrange(rule.filters, baseline_query(rule, now), std::nullopt,
                                              LabelSelection::none())) {
      const auto found = readings.find(series.name);
      if (found != readings.end()) found->second.baseline = values_of(series.samples);
    }
  }
  return readings;
}

}  // namespace redkit::alert
