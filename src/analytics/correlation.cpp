#include "analytics/correlation.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace redkit::analytics {

bool no_spread(std::span<const double> values, double squared_deviations) {
  double largest = 0;
  for (const double value : values) {
    largest = std::max(largest, std::abs(value));
  }
  const double deviation = std::sqrt(squared_deviations / static_cast<double>(values.size()));
  return deviation <= kNoSpread * largest;
}

std::optional<double> pearson(std::span<const double> x, std::span<const double> y) {
  const std::size_t n = std::min(x.size(), y.size());
  if (n < 2) {
    return std::nullopt;
  }
  // Two passes: deviations from the means, so large offsets (timestamps,
  // counters) do not cancel the digits that carry the relation.
  double mean_x = 0;
  double mean_y = 0;
  for (std::size_t i = 0; i < n; ++i) {
    mean_x += x[i];
    mean_y += y[i];
  }
  mean_x /= static_cast<double>(n);
  mean_y /= static_cast<double>(n);
  double sxy = 0;
  double sxx = 0;
  double syy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double dx = x[i] - mean_x;
    const double dy = y[i] - mean_y;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (no_spread(x.first(n), sxx) || no_spread(y.first(n), syy)) {
    return std::nullopt;  // a constant side: no correlation is defined
  }
  // Rounding may carry |r| a hair past 1.
  return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

std::vector<double> average_ranks(std::span<const double> values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (std::size_t start = 0; start < order.size();) {
    std::size_t end = start + 1;
    while (end < order.size() && values[order[end]] == values[order[start]]) {
      ++end;
    }
    // Ranks start+1 .. end share their mean.
    const double rank = (static_cast<double>(start + 1) + static_cast<double>(end)) / 2;
    for (std::size_t i = start; i < end; ++i) {
      ranks[order[i]] = rank;
    }
    start = end;
  }
  return ranks;
}

std::optional<double> spearman(std::span<const double> x, std::span<const double> y) {
  const std::size_t n = std::min(x.size(), y.size());
  // Ranks would turn a constant side's rounding noise into an order.
  if (!pearson(x.first(n), y.first(n))) {
    return std::nullopt;
  }
  const std::vector<double> rx = average_ranks(x.first(n));
  const std::vector<double> ry = average_ranks(y.first(n));
  return pearson(rx, ry);
}

}  // namespace redkit::analytics
