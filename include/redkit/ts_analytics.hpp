// redkit/ts_analytics.hpp — analysis across series: how strongly series move
// together (correlation), and which of their values stand out (outliers).
//
//   redkit::ts::SeriesAnalyzer analyzer(client);
//   const auto matrix = analyzer.correlate({.filters = {"metric=cpu"},
//                                           .from = now - 86'400'000, .to = now,
//                                           .window = std::chrono::minutes(5)});
//   for (std::size_t r = 0; r < matrix.rows.size(); ++r)
//     for (std::size_t c = 0; c < matrix.columns.size(); ++c)
//       if (auto rho = matrix.at(r, c).coefficient) ...
//
// Series are reduced to window-wide buckets on the epoch grid with an
// aggregator, through Store::range / mrange: a compaction rule of that width
// and aggregator answers them, so a month at 1 h reads 720 values per series.
//
// Thread-safety: SeriesAnalyzer is safe to share between threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "redkit/client.hpp"
#include "redkit/ts_types.hpp"

namespace redkit::ts {

enum class CorrelationMethod {
  pearson,   // linear relation
  spearman,  // monotonic relation: Pearson's r of the ranks (ties averaged)
};
const char* to_string(CorrelationMethod method) noexcept;
// "pearson" or "spearman"; throws InvalidArgument naming anything else.
CorrelationMethod parse_correlation_method(std::string_view text);

struct CorrelationQuery {
  // The series by name, or every series whose labels match all the filters.
  // Exactly one of the two.
  std::vector<std::string> series{};
  std::vector<std::string> filters{};
  // Set: every selected series is correlated with this one only (one
  // column), instead of with each other (a square matrix, at most
  // kMaxCorrelationSeries series).
  std::string against{};
  // Inclusive bounds, as RangeOptions.
  Timestamp from = kEarliest;
  Timestamp to = kLatest;
  // Each series becomes one value per window (`aggregator` over it); pairs
  // are aligned on the windows both have values in.
  std::chrono::milliseconds window{std::chrono::minutes(1)};
  Aggregator aggregator = Aggregator::avg;
  CorrelationMethod method = CorrelationMethod::pearson;
};

inline constexpr std::size_t kMaxCorrelationSeries = 2'000;

struct Correlation {
  // In [-1, 1]; nullopt (undefined) with fewer than two common windows or
  // when either side does not vary over them.
  std::optional<double> coefficient{};
  std::size_t windows = 0;  // common windows the coefficient is over
};

struct CorrelationMatrix {
  std::vector<std::string> rows{};     // the selected series, by name
  std::vector<std::string> columns{};  // the same, or the `against` series
  std::vector<Correlation> cells{};    // row-major, rows × columns
  const Correlation& at(std::size_t row, std::size_t column) const { return cells.at(row * columns.size() + column); }
};

enum class OutlierMethod {
  // Outside [Q1 - k·IQR, Q3 + k·IQR] (k default 1.5). Quartiles interpolate
  // linearly between the closest ranks: the q-quantile of n sorted values
  // v is v[h] + (h - ⌊h⌋)(v[h+1] - v[h]) with h = (n - 1)q, 0-based (R's
  // type 7, NumPy's default, Excel's QUARTILE.INC).
  iqr,
  // Further than k sample standard deviations from the mean (k default 3).
  zscore,
};
const char* to_string(OutlierMethod method) noexcept;
// "iqr" or "zscore"; throws InvalidArgument naming anything else.
OutlierMethod parse_outlier_method(std::string_view text);

struct OutlierQuery {
  // The series by name, or every series matching the filters; exactly one.
  std::vector<std::string> series{};
  std::vector<std::string> filters{};
  Timestamp from = kEarliest;
  Timestamp to = kLatest;
  OutlierMethod method = OutlierMethod::iqr;
  // k above; nullopt: the method's default. Positive and finite.
  std::optional<double> threshold{};
  // 0: the raw samples; otherwise `aggregator` over window-wide buckets on
  // the epoch grid (a compaction rule answers them).
  std::chrono::milliseconds window{0};
  Aggregator aggregator = Aggregator::avg;
};

struct SeriesOutliers {
  std::string series{};
  std::size_t values = 0;  // samples (or buckets) examined
  // Values strictly outside are outliers; nullopt for fewer than two values.
  std::optional<double> lower{};
  std::optional<double> upper{};
  // iqr: Q1 and Q3; zscore: the mean and the sample standard deviation.
  std::optional<double> first{};
  std::optional<double> second{};
  std::vector<Sample> outliers{};  // oldest first
};

struct AnalyticsOptions {
  // Prepended to every key, as StoreOptions::prefix.
  std::string prefix = "redkit:";
};

class SeriesAnalyzer {
 public:
  explicit SeriesAnalyzer(Client client, AnalyticsOptions options = {});

  // Rows sorted by name. Throws InvalidArgument naming a bad field (no or
  // both selections, fewer than two series without `against`, more than
  // kMaxCorrelationSeries for a square matrix, a window <= 0, from > to),
  // SeriesNotFound for a named series (or `against`) that does not exist.
  CorrelationMatrix correlate(const CorrelationQuery& query) const;

  // One entry per series, sorted by name. Throws as correlate() does (a bad
  // threshold or a negative window named).
  std::vector<SeriesOutliers> outliers(const OutlierQuery& query) const;

 private:
  Client client_;
  AnalyticsOptions options_;
};

}  // namespace redkit::ts
