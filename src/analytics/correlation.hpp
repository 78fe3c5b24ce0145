// Correlation of paired values: Pearson's r, and Spearman's rho (Pearson's
// r of the values' ranks, ties taking their average rank), for relations
// that are monotonic but not linear.
//
// Pure functions over values (no Redis): ts::SeriesAnalyzer aligns series
// into windows and calls these. Fewer than two pairs, or no spread in
// either side, give no coefficient: undefined, never 0 or NaN.
#pragma once

#include <optional>
#include <span>
#include <vector>

namespace redkit::analytics {

// Pearson's r of x[i] and y[i] (the spans have equal lengths), in [-1, 1].
std::optional<double> pearson(std::span<const double> x, std::span<const double> y);

// 1-based ranks of the values, ties sharing the average of their ranks.
std::vector<double> average_ranks(std::span<const double> values);

// Spearman's rho: pearson() of the two sides' average ranks.
std::optional<double> spearman(std::span<const double> x, std::span<const double> y);

}  // namespace redkit::analytics
