#include "analytics/outliers.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace redkit::analytics {

double quantile_of_sorted(std::span<const double> sorted, double q) {
  const double h = static_cast<double>(sorted.size() - 1) * q;
  const auto below = static_cast<std::size_t>(std::floor(h));
  if (below + 1 >= sorted.size()) {
    return sorted.back();
  }
  return sorted[below] + (h - static_cast<double>(below)) * (sorted[below + 1] - sorted[below]);
}

std::optional<OutlierBounds> outlier_bounds(std::span<const double> values, OutlierRule rule, double k) {
  if (values.size() < 2) {
    return std::nullopt;
  }
  double largest = 0;
  for (const double value : values) {
    largest = std::max(largest, std::abs(value));
  }
  // Fences widened by rounding: a window average a last bit away from its
  // neighbours' is not an outlier of a flat series.
  const double rounding = kRounding * largest;
  if (rule == OutlierRule::iqr) {
    std::vector<double> sorted(values.begin(), values.end());
    std::sort(sorted.begin(), sorted.end());
    const double q1 = quantile_of_sorted(sorted, 0.25);
    const double q3 = quantile_of_sorted(sorted, 0.75);
    const double spread = q3 - q1;
    return OutlierBounds{
        .lower = q1 - k * spread - rounding, .upper = q3 + k * spread + rounding, .first = q1, .second = q3};
  }
  double mean = 0;
  for (const double value : values) {
    mean += value;
  }
  mean /= static_cast<double>(values.size());
  double squares = 0;
  for (const double value : values) {
    squares += (value - mean) * (value - mean);
  }
  const double deviation = std::sqrt(squares / static_cast<double>(values.size() - 1));
  return OutlierBounds{.lower = mean - k * deviation - rounding,
                       .upper = mean + k * deviation + rounding,
                       .first = mean,
                       .second = deviation};
}

}  // namespace redkit::analytics
