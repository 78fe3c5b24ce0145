// Correlation and outlier bounds against references worked out here from
// the definitions (analytics/correlation.hpp, analytics/outliers.hpp).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "analytics/correlation.hpp"
#include "analytics/outliers.hpp"

namespace redkit::analytics {
namespace {

TEST(Correlation, LinearRelationsAreOneAndMinusOne) {
  const std::vector<double> x{1, 2, 3, 4, 5, 6};
  std::vector<double> up;
  std::vector<double> down;
  for (const double v : x) {
    up.push_back(2 * v + 1e9);  // a large offset must not cost the digits
    down.push_back(-0.5 * v + 3);
  }
  EXPECT_DOUBLE_EQ(*pearson(x, up), 1.0);
  EXPECT_DOUBLE_EQ(*pearson(x, down), -1.0);
  EXPECT_DOUBLE_EQ(*spearman(x, up), 1.0);
  EXPECT_DOUBLE_EQ(*spearman(x, down), -1.0);
}

TEST(Correlation, PearsonMatchesTheDefinitionOnAnIrregularPair) {
  const std::vector<double> x{3, 1, 4, 1, 5, 9, 2, 6};
  const std::vector<double> y{2, 7, 1, 8, 2, 8, 1, 8};
  // sum((x - 3.875)(y - 4.625)) / sqrt(sum((x - 3.875)^2) sum((y - 4.625)^2)), in exact fractions:
  // sxy = 109/8, sxx = 423/8, syy = 639/8.
  const double expected = 13.625 / std::sqrt(52.875 * 79.875);
  EXPECT_NEAR(*pearson(x, y), expected, 1e-12);
}

TEST(Correlation, OrthogonalSeriesAreUncorrelated) {
  // +1, -1 patterns whose products cancel exactly.
  const std::vector<double> x{1, -1, 1, -1, 1, -1, 1, -1};
  const std::vector<double> y{1, 1, -1, -1, 1, 1, -1, -1};
  EXPECT_DOUBLE_EQ(*pearson(x, y), 0.0);
}

TEST(Correlation, MonotonicButNotLinearIsOneForSpearmanOnly) {
  std::vector<double> x;
  std::vector<double> cube;
  for (int i = 1; i <= 10; ++i) {
    x.push_back(i);
    cube.push_back(std::pow(i, 5));
  }
  EXPECT_DOUBLE_EQ(*spearman(x, cube), 1.0);
  EXPECT_LT(*pearson(x, cube), 0.95);
}

TEST(Correlation, TiesShareTheirAverageRank) {
  EXPECT_EQ(average_ranks(std::vector<double>{10, 20, 20, 5, 20}), (std::vector<double>{2, 4, 4, 1, 4}));
  // Spearman with ties is Pearson of the average ranks.
  const std::vector<double> x{1, 2, 2, 3};
  const std::vector<double> y{1, 3, 2, 4};
  EXPECT_NEAR(*spearman(x, y), *pearson(std::vector<double>{1, 2.5, 2.5, 4}, std::vector<double>{1, 3, 2, 4}),
              1e-15);
}

TEST(Correlation, UndefinedWithoutTwoPairsOrWithoutSpread) {
  EXPECT_FALSE(pearson(std::vector<double>{}, std::vector<double>{}));
  EXPECT_FALSE(pearson(std::vector<double>{1}, std::vector<double>{2}));
  EXPECT_FALSE(pearson(std::vector<double>{1, 2, 3}, std::vector<double>{4, 4, 4}));
  EXPECT_FALSE(spearman(std::vector<double>{7, 7, 7}, std::vector<double>{1, 2, 3}));
  // Window averages of a constant that rounding left a bit apart still do
  // not vary: no coefficient, not r = 1 from the noise.
  const double sixth = (0.1 + 0.1 + 0.1 + 0.1 + 0.1 + 0.1) / 6;
  ASSERT_NE(sixth, 0.1);
  EXPECT_FALSE(pearson(std::vector<double>{0.1, sixth, 0.1, sixth}, std::vector<double>{1, 2, 3, 4}));
  EXPECT_FALSE(spearman(std::vector<double>{0.1, sixth, 0.1, sixth}, std::vector<double>{1, 2, 3, 4}));
}

TEST(Outliers, QuartilesInterpolateBetweenTheClosestRanks) {
  // n = 8: Q1 at h = 1.75 -> 2 + 0.75 * (3 - 2) = 2.75; Q3 at h = 5.25 -> 6 + 0.25 * (7 - 6) = 6.25.
  const std::vector<double> sorted{1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_DOUBLE_EQ(quantile_of_sorted(sorted, 0.25), 2.75);
  EXPECT_DOUBLE_EQ(quantile_of_sorted(sorted, 0.75), 6.25);
  EXPECT_DOUBLE_EQ(quantile_of_sorted(sorted, 0.5), 4.5);
  EXPECT_DOUBLE_EQ(quantile_of_sorted(sorted, 0), 1);
  EXPECT_DOUBLE_EQ(quantile_of_sorted(sorted, 1), 8);
}

TEST(Outliers, IqrFencesAndZScoreBounds) {
  const std::vector<double> values{5, 1, 8, 3, 2, 7, 4, 6, 100};  // any order
  // Sorted 1..8, 100: Q1 at h = 2 -> 3, Q3 at h = 6 -> 7; IQR 4; fences 3 - 6 and 7 + 6.
  const auto iqr = outlier_bounds(values, OutlierRule::iqr, 1.5);
  ASSERT_TRUE(iqr);
  EXPECT_DOUBLE_EQ(iqr->first, 3);
  EXPECT_DOUBLE_EQ(iqr->second, 7);
  // Widened by kRounding of the largest magnitude (100).
  EXPECT_DOUBLE_EQ(iqr->lower, -3 - 1e-8);
  EXPECT_DOUBLE_EQ(iqr->upper, 13 + 1e-8);
  const auto z = outlier_bounds(values, OutlierRule::zscore, 2);
  ASSERT_TRUE(z);
  double mean = 0;
  for (const double v : values) mean += v;
  mean /= 9;
  double squares = 0;
  for (const double v : values) squares += (v - mean) * (v - mean);
  const double deviation = std::sqrt(squares / 8);
  EXPECT_DOUBLE_EQ(z->first, mean);
  EXPECT_DOUBLE_EQ(z->second, deviation);
  EXPECT_DOUBLE_EQ(z->upper, mean + 2 * deviation + 1e-8);
  EXPECT_FALSE(outlier_bounds(std::vector<double>{4}, OutlierRule::iqr, 1.5));
  // A flat series' rounding noise is inside its fences.
  const double sixth = (0.1 + 0.1 + 0.1 + 0.1 + 0.1 + 0.1) / 6;
  for (const OutlierRule rule : {OutlierRule::iqr, OutlierRule::zscore}) {
    const auto flat = outlier_bounds(std::vector<double>{0.1, 0.1, 0.1, sixth, 0.1}, rule, 1);
    ASSERT_TRUE(flat);
    EXPECT_LE(flat->lower, sixth);
    EXPECT_GE(flat->upper, 0.1);
  }
}

}  // namespace
}  // namespace redkit::analytics
