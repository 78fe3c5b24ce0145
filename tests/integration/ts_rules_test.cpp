// Compaction rules against a real server: destinations hold exactly what an
// aggregation of the source computes, late samples recompute their bucket,
// the retention preset, and long aggregations answered from a destination.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "support/ts_store_test.hpp"

namespace redkit::test {
namespace {

using namespace std::chrono_literals;
using ts::Aggregation;
using ts::Aggregator;
using ts::Sample;
using ts::Timestamp;

class TsRules : public TsStoreTest {
 protected:
  // The source aggregated over the buckets the rule has closed: everything
  // before the bucket of the newest sample.
  std::vector<Sample> recomputed(const std::string& source, const Aggregation& aggregation) {
    const Timestamp newest = store().latest(source)->timestamp;
    const Timestamp width = aggregation.bucket.count();
    const Timestamp open = newest - ((newest - aggregation.align) % width + width) % width;
    return store().range(source, {.to = open - 1, .aggregation = aggregation, .use_compactions = false});
  }
  static void expect_close(const std::vector<Sample>& actual, const std::vector<Sample>& expected,
                           const std::string& what) {
    ASSERT_EQ(actual.size(), expected.size()) << what;
    for (std::size_t i = 0; i < actual.size(); ++i) {
      ASSERT_EQ(actual[i].timestamp, expected[i].timestamp) << what << " at " << i;
      ASSERT_NEAR(actual[i].value, expected[i].value, 1e-9 * std::max(1.0, std::abs(expected[i].value)))
          << what << " at " << i;
    }
  }
};

TEST_F(TsRules, DestinationsHoldTheAggregatesOfClosedBuckets) {
  store().create("src");
  const std::vector<std::pair<std::string, Aggregation>> rules{
      {"avg1m", {.aggregator = Aggregator::avg, .bucket = 1min, .align = 0, .empty_buckets = false}},
      {"max5m", {.aggregator = Aggregator::max, .bucket = 5min, .align = 0, .empty_buckets = false}},
      {"twa1m", {.aggregator = Aggregator::twa, .bucket = 1min, .align = 0, .empty_buckets = false}},
      {"std1m", {.aggregator = Aggregator::std_s, .bucket = 1min, .align = 7'000, .empty_buckets = false}},
      {"count1h", {.aggregator = Aggregator::count, .bucket = 1h, .align = 0, .empty_buckets = false}},
  };
  for (const auto& [destination, aggregation] : rules) {
    store().create(destination);
    store().create_rule("src", destination, aggregation);
  }
  std::mt19937_64 random(21);
  std::normal_distribution<double> step(0, 1);
  double value = 50;
  Timestamp t = 1'700'000'000'000;
  std::vector<Sample> bulk;
  for (int i = 0; i < 600; ++i) {  // one by one, irregular gaps
    t += 3'000 + static_cast<Timestamp>(random() % 15'000);
    value += step(random);
    store().add("src", t, value);
  }
  for (int i = 0; i < 5'000; ++i) {  // then in bulk
    t += 1'000 + static_cast<Timestamp>(random() % 9'000);
    value += step(random);
    bulk.push_back({t, value});
  }
  store().add_many("src", bulk);
  for (const auto& [destination, aggregation] : rules) {
    expect_close(store().range(destination), recomputed("src", aggregation), destination);
  }
  EXPECT_EQ(store().rules("src").size(), rules.size());
  EXPECT_EQ(store().info("avg1m").source, "src");
}

TEST_F(TsRules, LateSamplesRecomputeTheirBucket) {
  store().create("late", {.retention = {}, .duplicate_policy = ts::DuplicatePolicy::last, .labels = {}});
  store().create("late:sum");
  const Aggregation sum{.aggregator = Aggregator::sum, .bucket = 10s, .align = 0, .empty_buckets = false};
  store().create_rule("late", "late:sum", sum);
  std::vector<Sample> samples;
  for (Timestamp t = 0; t < 200'000; t += 1'000) samples.push_back({t, 1.0});
  store().add_many("late", samples);
  store().add("late", 15'500, 100.0);   // a new sample, in a sealed chunk
  store().add("late", 199'000, 5.0);    // replaces a value in the open bucket
  store().add("late", 20'000, 7.0);     // replaces a value (policy last)
  expect_close(store().range("late:sum"), recomputed("late", sum), "late");
  const auto bucket = store().range("late:sum", {.from = 10'000, .to = 10'000});
  ASSERT_EQ(bucket.size(), 1u);
  EXPECT_EQ(bucket.front().value, 110.0);
}

TEST_F(TsRules, RetentionPresetBuildsTheSeedsPolicy) {
  const auto destinations = store().apply_retention_preset("cpu");
  EXPECT_EQ(destinations, (std::vector<std::string>{"cpu:1m", "cpu:5m", "cpu:1h", "cpu:1d"}));
  EXPECT_EQ(store().info("cpu").retention, 24h);
  EXPECT_EQ(store().info("cpu:1m").retention, std::chrono::hours(24 * 7));
  EXPECT_EQ(store().info("cpu:5m").retention, std::chrono::hours(24 * 30));
  EXPECT_EQ(store().info("cpu:1h").retention, std::chrono::hours(24 * 90));
  EXPECT_EQ(store().info("cpu:1d").retention, std::chrono::hours(24 * 365));
  const auto rules = store().info("cpu").rules;
  ASSERT_EQ(rules.size(), 4u);
  EXPECT_EQ(rules[0].destination, "cpu:1d");
  EXPECT_EQ(rules[0].aggregation.bucket, 24h);
  // Applying it again changes nothing.
  EXPECT_EQ(store().apply_retention_preset("cpu"), destinations);
  EXPECT_EQ(store().rules("cpu").size(), 4u);
}

TEST_F(TsRules, LongAggregationsReadTheCompactedSeriesPastTheSourcesRetention) {
  store().create("raw", {.retention = 15min, .duplicate_policy = {}, .labels = {}});
  store().create("raw:1m");
  const Aggregation avg{.aggregator = Aggregator::avg, .bucket = 1min, .align = 0, .empty_buckets = false};
  store().create_rule("raw", "raw:1m", avg);
  std::vector<Sample> samples;
  for (Timestamp t = 0; t < 2 * 3'600'000; t += 1'000) samples.push_back({t, static_cast<double>(t % 60'000)});
  for (std::size_t begin = 0; begin < samples.size(); begin += 600) {
    store().add_many("raw", std::span(samples).subspan(begin, 600));
  }
  const auto from_raw_only = store().range("raw", {.aggregation = avg, .use_compactions = false});
  EXPECT_LE(from_raw_only.size(), 16u);  // the raw series keeps 15 minutes
  const auto answered = store().range("raw", {.aggregation = avg});
  ASSERT_EQ(answered.size(), 120u);
  for (std::size_t i = 0; i < answered.size(); ++i) {
    EXPECT_EQ(answered[i].timestamp, static_cast<Timestamp>(i) * 60'000);
    EXPECT_EQ(answered[i].value, 29'500.0) << i;
  }
  // A range starting inside a bucket computes that bucket from raw samples.
  const auto partial = store().range("raw", {.from = 2 * 3'600'000 - 90'000, .aggregation = avg});
  ASSERT_EQ(partial.size(), 2u);
  EXPECT_EQ(partial[0].value, 44'500.0);
}

TEST_F(TsRules, RulesRefuseBadSetupsAndGoAwayWithTheirSeries) {
  store().create("a");
  store().create("b");
  store().create("c");
  const Aggregation avg{.aggregator = Aggregator::avg, .bucket = 1min, .align = 0, .empty_buckets = false};
  EXPECT_THROW(store().create_rule("a", "a", avg), InvalidArgument);
  EXPECT_THROW(store().create_rule("a", "missing", avg), ts::SeriesNotFound);
  EXPECT_THROW(store().create_rule("a", "b", {.aggregator = Aggregator::avg, .bucket = 0ms, .align = 0, .empty_buckets = false}),
               InvalidArgument);
  store().create_rule("a", "b", avg);
  EXPECT_THROW(store().create_rule("a", "b", avg), Error);
  EXPECT_THROW(store().create_rule("c", "b", avg), Error);  // b has a source
  store().create_rule("b", "c", avg);                       // a chain: a -> b -> c
  EXPECT_THROW(store().create_rule("c", "a", avg), Error);  // a cycle
  EXPECT_TRUE(store().delete_rule("b", "c"));
  EXPECT_TRUE(store().delete_rule("a", "b"));
  EXPECT_FALSE(store().delete_rule("a", "b"));
  EXPECT_FALSE(store().info("b").source.has_value());
  store().create_rule("a", "b", avg);
  EXPECT_TRUE(store().remove("b"));
  EXPECT_TRUE(store().rules("a").empty());
  store().create("b");
  store().create_rule("a", "b", avg);
  EXPECT_TRUE(store().remove("a"));
  EXPECT_FALSE(store().info("b").source.has_value());
}

// raw -> 1m -> 5m -> 1h, each level fed by the one below, holds what rules
// straight from raw hold, for aggregators whose buckets compose (sums of
// sums, maxima of maxima), with late samples travelling up the chain.
TEST_F(TsRules, ChainedRulesEqualDirectCompaction) {
  for (const std::string name : {"raw", "raw:1m", "raw:5m", "raw:1h", "direct:5m", "direct:1h"}) {
    store().create(name);
  }
  for (const Aggregator aggregator : {Aggregator::sum, Aggregator::max}) {
    SCOPED_TRACE(ts::to_string(aggregator));
    const auto per = [&](std::chrono::milliseconds width) { return Aggregation{.aggregator = aggregator, .bucket = width}; };
    store().create_rule("raw", "raw:1m", per(1min));
    store().create_rule("raw:1m", "raw:5m", per(5min));
    store().create_rule("raw:5m", "raw:1h", per(1h));
    store().create_rule("raw", "direct:5m", per(5min));
    store().create_rule("raw", "direct:1h", per(1h));
    std::mt19937 random(7);
    const Timestamp t0 = 1'700'000'000'000 - 1'700'000'000'000 % 3'600'000;
    for (int i = 0; i < 3 * 360; ++i) {  // three hours at 10 s, whole-number values
      store().add("raw", t0 + i * 10'000, static_cast<double>(random() % 1000));
    }
    // A late sample inside the first hour moves every level above it.
    store().add("raw", t0 + 125'000, 5'000);
    EXPECT_EQ(store().range("raw:5m"), store().range("direct:5m"));
    EXPECT_EQ(store().range("raw:1h"), store().range("direct:1h"));
    EXPECT_EQ(store().range("raw:1h").size(), 2u);  // the third hour is open
    EXPECT_EQ(store().rules("raw:1m").size(), 1u);
    EXPECT_EQ(store().info("raw:5m").source, "raw:1m");
    for (const std::string name : {"raw:1m", "raw:5m", "raw:1h", "direct:5m", "direct:1h"}) {
      store().remove(name);
      store().create(name);
    }
    store().remove("raw");
    store().create("raw");
  }
}

TEST_F(TsRules, ChainsRefuseCyclesAtAnyDepth) {
  const Aggregation avg{.aggregator = Aggregator::avg, .bucket = 1min};
  for (const std::string name : {"a", "b", "c", "d"}) store().create(name);
  store().create_rule("a", "b", avg);
  store().create_rule("b", "c", avg);
  store().create_rule("c", "d", avg);
  try {
    store().create_rule("d", "a", avg);
    ADD_FAILURE() << "no error";
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(), "compaction rule d -> a: it would close a cycle: a is upstream of d");
  }
  EXPECT_TRUE(store().rules("d").empty());
  EXPECT_FALSE(store().info("a").source.has_value());
  // Removing the middle of a chain leaves two chains.
  EXPECT_TRUE(store().remove("b"));
  EXPECT_FALSE(store().info("c").source.has_value());
  EXPECT_TRUE(store().rules("a").empty());
  store().create_rule("d", "a", avg);  // no longer a cycle: d is not below a
}

}  // namespace
}  // namespace redkit::test
