// Correlation of paired values: Pearson's r, and Spearman's rho (Pearson's
// r of the values' ranks, ties taking their average rank), for relations
// that are monotonic but not linear.
//
// Pure functions over values (no Redis): ts::SeriesAnalyzer aligns series
// into windows and calls these. Fewer than two pairs, or no spread in
// either side (kNoSpread), give no coefficient: undefined, never 0 or NaN.
#pragma once

#include <optional>
#include <span>
#include <vector>

namespace redkit::analytics {

// Values whose standard deviation is within this fraction of their largest
// magnitude do not vary: what is left is the rounding of window averages
// (six 0.1s average to 0.09999999999999999), not a signal to correlate.
inline constexpr double kNoSpread = 1e-10;

// Whether values with these squared deviations from their mean (over all
// of them) vary by no more than rounding, as kNoSpread says.
bool no_spread(std::span<const double> values, double squared_deviations);

// Pearson's r of x[i] and y[i] (the spans have equal lengths), in [-1, 1].
std::optional<double> pearson(std::span<const double> x, std::span<const double> y);

// 1-based ranks of the values, ties sharing the average of their ranks.
std::vector<double> average_ranks(std::span<const double> values);

// Spearman's rho: pearson() of the two sides' average ranks.
std::optional<double> spearman(std::span<const double> x, std::span<const double> y);

}  // namespace redkit::analytics
