// Outlying values by two rules:
//
//   iqr     outside [Q1 - k * IQR, Q3 + k * IQR] (Tukey's fences, k = 1.5
//           by default), the quartiles interpolated linearly between the
//           closest ranks: the q-quantile of n sorted values is
//           v[h] + (h - floor(h)) * (v[h + 1] - v[h]) with h = (n - 1) * q
//           (0-based), as R's type 7, NumPy's default and Excel's
//           QUARTILE.INC compute it;
//   zscore  further than k sample standard deviations (n - 1) from the mean
//           (k = 3 by default).
//
// Pure functions over values (no Redis): ts::SeriesAnalyzer reads each
// series and calls these.
#pragma once

#include <cstddef>
#include <optional>
#include <span>

namespace redkit::analytics {

enum class OutlierRule { iqr, zscore };

// The q-quantile (0 <= q <= 1) of sorted values, as described above; the
// span is not empty.
double quantile_of_sorted(std::span<const double> sorted, double q);

// Both bounds lie this fraction of the values' largest magnitude further
// out than the rule's, so rounding (a window average one bit off its
// neighbours') never makes an outlier of a flat series.
inline constexpr double kRounding = 1e-10;

struct OutlierBounds {
  // Values strictly below lower or above upper are outliers.
  double lower = 0;
  double upper = 0;
  // iqr: the quartiles; zscore: the mean and the sample standard deviation.
  double first = 0;
  double second = 0;
};

// The bounds of `values` (any order) under the rule with factor k > 0;
// nullopt for fewer than two values.
std::optional<OutlierBounds> outlier_bounds(std::span<const double> values, OutlierRule rule, double k);

}  // namespace redkit::analytics
