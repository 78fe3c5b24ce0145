// Percentiles: the exact per-bucket value (type 7), the names that spell
// them, and the mergeable sketch's stated bound — every estimate within
// kSketchRelativeAccuracy of the value at rank ⌊q × (n − 1)⌋ — checked on a
// million samples of three shapes, merged from pieces and read back from
// its stored form.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "redkit/error.hpp"
#include "redkit/ts_types.hpp"
#include "ts/aggregation.hpp"
#include "ts/quantile_sketch.hpp"

namespace redkit::ts::detail {
namespace {

using namespace std::chrono_literals;

double percentile_of(const std::vector<Sample>& samples, double q) {
  return aggregate(samples, Aggregation{.aggregator = Aggregator::percentile, .bucket = 1000s, .quantile = q}, 0,
                   1'000'000)
      .at(0)
      .value;
}

TEST(TsPercentile, InterpolatesBetweenTheClosestRanks) {
  // Sorted: 1 2 3 4 10. p50: rank 2 → 3. p90: rank 3.6 → 4 + 0.6 × 6.
  // p25: rank 1 → 2. p0 and p100: the extremes.
  const std::vector<Sample> samples{{1, 10}, {2, 3}, {3, 1}, {4, 4}, {5, 2}};
  EXPECT_DOUBLE_EQ(percentile_of(samples, 0.5), 3);
  EXPECT_DOUBLE_EQ(percentile_of(samples, 0.9), 4 + 0.6 * 6);
  EXPECT_DOUBLE_EQ(percentile_of(samples, 0.25), 2);
  EXPECT_DOUBLE_EQ(percentile_of(samples, 0), 1);
  EXPECT_DOUBLE_EQ(percentile_of(samples, 1), 10);
  EXPECT_DOUBLE_EQ(percentile_of({{7, -2.5}}, 0.99), -2.5);
}

TEST(TsPercentile, OneBucketPerWidthInTimeOrder) {
  std::vector<Sample> samples;
  for (Timestamp t = 0; t < 3000; t += 10) samples.push_back({t, static_cast<double>(t % 1000)});
  const auto buckets =
      aggregate(samples, Aggregation{.aggregator = Aggregator::percentile, .bucket = 1s, .quantile = 0.99}, 0, 2999);
  ASSERT_EQ(buckets.size(), 3U);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(buckets[i].timestamp, static_cast<Timestamp>(i) * 1000);
    // 100 values 0, 10, ..., 990: rank 98.01 → 980 + 0.01 × 10.
    EXPECT_DOUBLE_EQ(buckets[i].value, 980 + 0.01 * 10);
  }
}

TEST(TsPercentile, NamesRoundTrip) {
  Aggregation a;
  parse_aggregator_name("p99", a);
  EXPECT_EQ(a.aggregator, Aggregator::percentile);
  EXPECT_DOUBLE_EQ(a.quantile, 0.99);
  EXPECT_EQ(aggregator_name(a), "p99");
  parse_aggregator_name("P99.9", a);
  EXPECT_EQ(aggregator_name(a), "p99.9");
  parse_aggregator_name("p0", a);
  EXPECT_EQ(a.quantile, 0);
  parse_aggregator_name("p100", a);
  EXPECT_EQ(a.quantile, 1);
  parse_aggregator_name("avg", a);
  EXPECT_EQ(a.aggregator, Aggregator::avg);
  EXPECT_EQ(aggregator_name(a), "avg");
  for (const char* bad : {"p101", "p-1", "p", "p9x", "pp9", "p1e999", "median"}) {
    try {
      parse_aggregator_name(bad, a);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

// The value at rank ⌊q × (n − 1)⌋ of sorted values.
double at_rank(const std::vector<double>& sorted, double q) {
  return sorted[static_cast<std::size_t>(std::floor(q * static_cast<double>(sorted.size() - 1)))];
}

void expect_within_bound(const QuantileSketch& sketch, std::vector<double> values, const std::string& shape) {
  std::sort(values.begin(), values.end());
  ASSERT_EQ(sketch.count(), values.size());
  // The bound, plus the last bits of the logarithm that picks a bin.
  const double bound = kSketchRelativeAccuracy * (1 + 1e-9);
  std::vector<double> qs{0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 0.9999, 1};
  for (int i = 1; i < 100; ++i) qs.push_back(i / 100.0 + 0.003);
  for (const double q : qs) {
    const double exact = at_rank(values, q);
    const double estimate = sketch.quantile(q);
    EXPECT_LE(std::abs(estimate - exact), bound * std::abs(exact)) << shape << " q " << q << " exact " << exact;
  }
}

TEST(TsQuantileSketch, EveryQuantileOfAMillionSamplesIsWithinTheBound) {
  std::mt19937_64 random(7);
  std::lognormal_distribution<double> latency(3, 1.2);  // milliseconds, long tail
  std::normal_distribution<double> gauge(0, 50);        // both signs
  std::uniform_int_distribution<int> coin(0, 9);
  const std::vector<std::string> shapes{"latency", "gauge", "gauge with zeros"};
  for (const std::string& shape : shapes) {
    std::vector<double> values;
    values.reserve(1'000'000);
    // Ten sketches of 100,000 merged, as a coarser rule merges finer buckets.
    QuantileSketch merged;
    for (int part = 0; part < 10; ++part) {
      QuantileSketch piece;
      for (int i = 0; i < 100'000; ++i) {
        double v = shape == "latency" ? latency(random) : gauge(random);
        if (shape == "gauge with zeros" && coin(random) == 0) v = 0;
        values.push_back(v);
        piece.add(v);
      }
      merged.merge(QuantileSketch::decode(piece.encode(), "piece"));
    }
    expect_within_bound(merged, values, shape);
    const std::string stored = merged.encode();
    // A few bytes per occupied bin, whatever the sample count.
    EXPECT_LT(stored.size(), 4096U) << shape;
    expect_within_bound(QuantileSketch::decode(stored, "stored"), values, shape + " decoded");
  }
}

TEST(TsQuantileSketch, EmptyAndTinyValues) {
  QuantileSketch empty;
  EXPECT_TRUE(std::isnan(empty.quantile(0.5)));
  QuantileSketch tiny;
  tiny.add(1e-320);  // below the smallest normal double: counted as 0
  tiny.add(-1e300);
  tiny.add(1e300);
  EXPECT_EQ(tiny.quantile(0.5), 0);
  EXPECT_NEAR(tiny.quantile(0), -1e300, 1e300 * kSketchRelativeAccuracy);
  EXPECT_NEAR(tiny.quantile(1), 1e300, 1e300 * kSketchRelativeAccuracy);
}

TEST(TsQuantileSketch, RefusesBytesThatAreNotASketch) {
  QuantileSketch sketch;
  for (int i = 1; i <= 100; ++i) sketch.add(i);
  const std::string good = sketch.encode();
  for (const std::string& bad :
       {std::string(), std::string("\x02", 1), good.substr(0, good.size() - 1), good + "x", std::string("\x01\x00\x05", 3)}) {
    EXPECT_THROW(QuantileSketch::decode(bad, "test sketch"), ProtocolError);
  }
}

}  // namespace
}  // namespace redkit::ts::detail
