// increase and rate over buckets, worked out by hand from Prometheus's
// extrapolatedRate: resets, extrapolation towards each edge (all the way
// when closer than 1.1 average gaps, else half a gap), the start limited to
// where the counter would have been 0, and single-sample buckets left out.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "ts/aggregation.hpp"

namespace redkit::ts::detail {
namespace {

using namespace std::chrono_literals;

std::vector<Sample> buckets_of(const std::vector<Sample>& samples, Aggregator aggregator,
                               std::chrono::milliseconds width, bool empty_buckets = false) {
  return aggregate(samples, Aggregation{.aggregator = aggregator, .bucket = width, .empty_buckets = empty_buckets},
                   0, 1'000'000);
}

TEST(TsCounterAggregation, ExtrapolatesTowardsTheEdgesAsPrometheusDoes) {
  // Samples at 10, 20, 30 s in [0, 60 s): rise 20 over 20 s, gaps of 10 s.
  // Start: 10 s away, but at 1 per second the counter was 0 only 5 s before
  // the first sample, so 5 s (under 11 s: all of it). End: 30 s away, over
  // 11 s, so half a gap (5 s). Covered 30 s of 20 sampled: 20 * 30 / 20.
  const std::vector<Sample> samples{{10'000, 5}, {20'000, 15}, {30'000, 25}};
  EXPECT_DOUBLE_EQ(buckets_of(samples, Aggregator::increase, 60s).at(0).value, 30);
  EXPECT_DOUBLE_EQ(buckets_of(samples, Aggregator::rate, 60s).at(0).value, 0.5);
}

TEST(TsCounterAggregation, ADropIsAResetAndTheValueAfterItIsAllNew) {
  // 100, 110, 5, 15 at 0, 15, 30, 45 s: rise 15 - 100 + 110 = 25 over 45 s.
  // Start at the edge (0 s); end 15 s away, under 16.5 s: all of it.
  // 25 * 60 / 45.
  const std::vector<Sample> samples{{0, 100}, {15'000, 110}, {30'000, 5}, {45'000, 15}};
  EXPECT_NEAR(buckets_of(samples, Aggregator::increase, 60s).at(0).value, 25.0 * 60 / 45, 1e-12);
  EXPECT_NEAR(buckets_of(samples, Aggregator::rate, 60s).at(0).value, 25.0 / 45, 1e-12);
}

TEST(TsCounterAggregation, BucketsWithOneSampleHaveNoValue) {
  // Buckets [0, 10 s): two samples; [10 s, 20 s): one; [20 s, 30 s): two.
  const std::vector<Sample> samples{{0, 1}, {9'000, 10}, {15'000, 12}, {20'000, 20}, {29'000, 29}};
  const auto increases = buckets_of(samples, Aggregator::increase, 10s);
  ASSERT_EQ(increases.size(), 2u);
  EXPECT_EQ(increases[0].timestamp, 0);
  EXPECT_EQ(increases[1].timestamp, 20'000);
  // With empty buckets asked for, the lone sample's bucket is reported empty.
  const auto with_empty = buckets_of(samples, Aggregator::increase, 10s, true);
  ASSERT_EQ(with_empty.size(), 3u);
  EXPECT_TRUE(std::isnan(with_empty[1].value));
  // Edges: [0, 10 s) has samples at 0 and 9 s, end 1 s away: 9 * 10 / 9.
  EXPECT_DOUBLE_EQ(increases[0].value, 10);
}

}  // namespace
}  // namespace redkit::ts::detail
