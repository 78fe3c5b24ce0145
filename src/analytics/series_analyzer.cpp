// SeriesAnalyzer: series read through the store (windows through range /
// mrange with an aggregation, so compaction rules answer them), then
// analytics/correlation.hpp and analytics/outliers.hpp over the values.
#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "analytics/correlation.hpp"
#include "analytics/outliers.hpp"
#include "common/enum_names.hpp"
#include "redkit/error.hpp"
#include "redkit/time_series.hpp"
#include "redkit/ts_analytics.hpp"

namespace redkit::ts {
namespace {

constexpr ::redkit::detail::EnumNames<CorrelationMethod, 2> kCorrelationMethods{{
    {CorrelationMethod::pearson, "pearson"},
    {CorrelationMethod::spearman, "spearman"},
}};

constexpr ::redkit::detail::EnumNames<OutlierMethod, 2> kOutlierMethods{{
    {OutlierMethod::iqr, "iqr"},
    {OutlierMethod::zscore, "zscore"},
}};

void validate_selection(const std::vector<std::string>& series, const std::vector<std::string>& filters,
                        const char* what) {
  if (series.empty() == filters.empty()) {
    throw InvalidArgument(fmt::format("{}: give series names or label filters, not both and not neither", what));
  }
}

void validate_bounds(Timestamp from, Timestamp to, const char* what) {
  if (from > to) {
    throw InvalidArgument(fmt::format("{}: from {} is after to {}", what, from, to));
  }
}

// Each selected series' samples (or window buckets) in [from, to], by name.
std::map<std::string, std::vector<Sample>> read_series(const Store& store, const std::vector<std::string>& names,
                                                       const std::vector<std::string>& filters,
                                                       const RangeOptions& query) {
  std::map<std::string, std::vector<Sample>> out;
  if (!filters.empty()) {
    for (SeriesSamples& series : store.mrange(filters, query, std::nullopt, LabelSelection::none())) {
      out.emplace(std::move(series.name), std::move(series.samples));
    }
    return out;
  }
  for (const std::string& name : names) {
    out.emplace(name, store.range(name, query));  // throws SeriesNotFound
  }
  return out;
}

RangeOptions windows_query(Timestamp from, Timestamp to, std::chrono::milliseconds window, Aggregator aggregator) {
  RangeOptions query{.from = from, .to = to};
  if (window.count() > 0) {
    query.aggregation = Aggregation{.aggregator = aggregator, .bucket = window};
  }
  return query;
}

// The values of two bucket lists at the windows both have (merge join).
void aligned(const std::vector<Sample>& a, const std::vector<Sample>& b, std::vector<double>& x,
             std::vector<double>& y) {
  x.clear();
  y.clear();
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i].timestamp < b[j].timestamp) {
      ++i;
    } else if (b[j].timestamp < a[i].timestamp) {
      ++j;
    } else {
      x.push_back(a[i++].value);
      y.push_back(b[j++].value);
    }
  }
}

}  // namespace

const char* to_string(CorrelationMethod method) noexcept {
  return ::redkit::detail::name_of(kCorrelationMethods, method);
}
CorrelationMethod parse_correlation_method(std::string_view text) {
  return ::redkit::detail::parse_name(kCorrelationMethods, text, "correlation method");
}
const char* to_string(OutlierMethod method) noexcept { return ::redkit::detail::name_of(kOutlierMethods, method); }
OutlierMethod parse_outlier_method(std::string_view text) {
  return ::redkit::detail::parse_name(kOutlierMethods, text, "outlier method");
}

SeriesAnalyzer::SeriesAnalyzer(Client client, AnalyticsOptions options)
    : client_(std::move(client)), options_(std::move(options)) {}

CorrelationMatrix SeriesAnalyzer::correlate(const CorrelationQuery& query) const {
  validate_selection(query.series, query.filters, "correlation");
  validate_bounds(query.from, query.to, "correlation");
  if (query.window.count() <= 0) {
    throw InvalidArgument(fmt::format("correlation: window {} ms is not positive", query.window.count()));
  }
  if (query.against.empty() && !query.series.empty() && query.series.size() < 2) {
    throw InvalidArgument("correlation: name at least two series, or one with 'against'");
  }
  const Store store(client_, StoreOptions{.prefix = options_.prefix, .default_series = {}});
  const RangeOptions windows = windows_query(query.from, query.to, query.window, query.aggregator);
  std::map<std::string, std::vector<Sample>> series = read_series(store, query.series, query.filters, windows);
  if (query.against.empty() && series.size() > kMaxCorrelationSeries) {
    throw InvalidArgument(fmt::format("correlation: {} series make a matrix of {} cells; at most {} series, or "
                                      "correlate each with one series ('against')",
                                      series.size(), series.size() * series.size(), kMaxCorrelationSeries));
  }
  CorrelationMatrix matrix;
  std::vector<const std::vector<Sample>*> rows;
  for (const auto& [name, buckets] : series) {
    matrix.rows.push_back(name);
    rows.push_back(&buckets);
  }
  std::vector<Sample> against_buckets;
  std::vector<const std::vector<Sample>*> columns;
  if (query.against.empty()) {
    matrix.columns = matrix.rows;
    columns = rows;
  } else {
    if (auto found = series.find(query.against); found != series.end()) {
      against_buckets = found->second;
    } else {
      against_buckets = store.range(query.against, windows);  // throws SeriesNotFound
    }
    matrix.columns = {query.against};
    columns = {&against_buckets};
  }
  auto coefficient = query.method == CorrelationMethod::pearson ? analytics::pearson : analytics::spearman;
  matrix.cells.resize(rows.size() * columns.size());
  std::vector<double> x;
  std::vector<double> y;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t c = 0; c < columns.size(); ++c) {
      Correlation& cell = matrix.cells[r * columns.size() + c];
      if (query.against.empty() && c < r) {
        cell = matrix.cells[c * columns.size() + r];  // symmetric
        continue;
      }
      aligned(*rows[r], *columns[c], x, y);
      cell.windows = x.size();
      cell.coefficient = coefficient(x, y);
    }
  }
  return matrix;
}

std::vector<SeriesOutliers> SeriesAnalyzer::outliers(const OutlierQuery& query) const {
  validate_selection(query.series, query.filters, "outliers");
  validate_bounds(query.from, query.to, "outliers");
  if (query.window.count() < 0) {
    throw InvalidArgument(fmt::format("outliers: window {} ms is negative", query.window.count()));
  }
  const double k = query.threshold.value_or(query.method == OutlierMethod::iqr ? 1.5 : 3.0);
  if (!std::isfinite(k) || k <= 0) {
    throw InvalidArgument(fmt::format("outliers: threshold {} is not a positive finite number", k));
  }
  const Store store(client_, StoreOptions{.prefix = options_.prefix, .default_series = {}});
  const auto rule = query.method == OutlierMethod::iqr ? analytics::OutlierRule::iqr : analytics::OutlierRule::zscore;
  std::vector<SeriesOutliers> out;
  std::vector<double> values;
  for (auto& [name, samples] :
       read_series(store, query.series, query.filters, windows_query(query.from, query.to, query.window,
                                                                    query.aggregator))) {
    SeriesOutliers& entry = out.emplace_back();
    entry.series = name;
    entry.values = samples.size();
    values.clear();
    for (const Sample& sample : samples) {
      values.push_back(sample.value);
    }
    const auto bounds = analytics::outlier_bounds(values, rule, k);
    if (!bounds) {
      continue;
    }
    entry.lower = bounds->lower;
    entry.upper = bounds->upper;
    entry.first = bounds->first;
    entry.second = bounds->second;
    for (const Sample& sample : samples) {
      if (sample.value < bounds->lower || sample.value > bounds->upper) {
        entry.outliers.push_back(sample);
      }
    }
  }
  return out;
}

}  // namespace redkit::ts
