// Percentile rules against a real server: a rule from raw samples holds the
// exact percentile of each bucket, a coarser percentile rule fed from it
// merges the finer buckets' sketches and stays within the stated bound of
// the raw samples' percentile, the sketches go with their buckets, and the
// retention preset chains its levels for aggregators that compose.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "support/ts_store_test.hpp"

namespace redkit::test {
namespace {

using namespace std::chrono_literals;
using ts::Aggregation;
using ts::Aggregator;
using ts::Sample;
using ts::Timestamp;

constexpr Timestamp kPercentileHour = 3'600'000;
const Timestamp kPercentileT0 = 1'700'000'000'000 - 1'700'000'000'000 % kPercentileHour;

Aggregation percentile(double q, std::chrono::milliseconds width) {
  return Aggregation{.aggregator = Aggregator::percentile, .bucket = width, .quantile = q};
}

class TsPercentile : public TsStoreTest {
 protected:
  // Latency-like values (long tail, two decimals) every second for `hours`.
  std::vector<Sample> latencies(int hours, std::uint64_t seed) {
    std::mt19937_64 random(seed);
    std::lognormal_distribution<double> latency(3, 1);
    std::vector<Sample> samples;
    for (Timestamp t = 0; t < hours * kPercentileHour; t += 1'000) {
      samples.push_back({kPercentileT0 + t, std::round(latency(random) * 100) / 100});
    }
    return samples;
  }
  std::string sketch_key(const std::string& series) { return prefix() + "ts:{" + series + "}:sketch"; }
  long long sketches_of(const std::string& series) {
    return client().command({"ZCARD", sketch_key(series)}).as_integer();
  }
  // Every bucket of `width` of the raw samples: the value at rank
  // ⌊q × (n − 1)⌋, the one the sketch bound is stated against.
  static std::map<Timestamp, double> at_rank(const std::vector<Sample>& raw, double q, Timestamp width) {
    std::map<Timestamp, std::vector<double>> buckets;
    for (const Sample& s : raw) buckets[s.timestamp - s.timestamp % width].push_back(s.value);
    std::map<Timestamp, double> out;
    for (auto& [start, values] : buckets) {
      std::sort(values.begin(), values.end());
      out[start] = values[static_cast<std::size_t>(std::floor(q * static_cast<double>(values.size() - 1)))];
    }
    return out;
  }
};

TEST_F(TsPercentile, ARuleFromRawSamplesHoldsTheExactPercentileOfEachBucket) {
  store().create("lat");
  store().create("lat:p99");
  store().create("lat:p50");
  store().create_rule("lat", "lat:p99", percentile(0.99, 1min));
  store().create_rule("lat", "lat:p50", percentile(0.5, 1min));
  const auto rules = store().rules("lat");
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[1].aggregation, percentile(0.99, 1min));  // the quantile reads back the same
  auto samples = latencies(1, 3);
  // Half one by one (buckets close as samples arrive), half in bulk.
  for (std::size_t i = 0; i < 600; ++i) store().add("lat", samples[i].timestamp, samples[i].value);
  store().add_many("lat", std::vector<Sample>(samples.begin() + 600, samples.end()));
  const Timestamp open = samples.back().timestamp - samples.back().timestamp % 60'000;
  for (const auto& [destination, q] : {std::pair<std::string, double>{"lat:p99", 0.99}, {"lat:p50", 0.5}}) {
    const auto expected =
        store().range("lat", {.to = open - 1, .aggregation = percentile(q, 1min), .use_compactions = false});
    ASSERT_EQ(expected.size(), 59u);
    EXPECT_EQ(store().range(destination), expected) << destination;
    EXPECT_EQ(sketches_of(destination), 59) << destination;
  }
  // A late sample recomputes its bucket, exactly.
  store().add("lat", kPercentileT0 + 30'500, 10'000);
  EXPECT_EQ(store().range("lat:p99"),
            store().range("lat", {.to = open - 1, .aggregation = percentile(0.99, 1min), .use_compactions = false}));
  // A range asking for the rule's percentile reads the destination.
  EXPECT_EQ(store().range("lat", {.to = open - 1, .aggregation = percentile(0.99, 1min)}), store().range("lat:p99"));
}

TEST_F(TsPercentile, ACoarserRuleMergesTheFinerSketchesWithinTheBound) {
  store().create("raw");
  for (const std::string name : {"raw:1m", "raw:1h", "naive:1h"}) store().create(name);
  store().create_rule("raw", "raw:1m", percentile(0.99, 1min));
  store().create_rule("raw:1m", "raw:1h", percentile(0.99, 1h));
  // What a rule without sketches would hold: the p99 of 1-minute p99s.
  store().create_rule("raw:1m", "naive:1h", Aggregation{.aggregator = Aggregator::max, .bucket = 1h});
  const auto samples = latencies(3, 5);
  store().add_many("raw", samples);
  // Closes the last minute, whose sample in raw:1m then closes the hour.
  store().add("raw", kPercentileT0 + 3 * kPercentileHour, 1);
  store().add("raw", kPercentileT0 + 3 * kPercentileHour + 60'000, 1);
  const auto hours = store().range("raw:1h");
  ASSERT_EQ(hours.size(), 3u);
  const auto exact = at_rank(samples, 0.99, kPercentileHour);
  const double bound = ts::kSketchRelativeAccuracy * (1 + 1e-9);
  for (const Sample& hour : hours) {
    const double truth = exact.at(hour.timestamp);
    EXPECT_LE(std::abs(hour.value - truth), bound * truth) << "hour " << hour.timestamp << " truth " << truth;
  }
  // The hour's p99 is well below the largest minute p99: merging sketches is
  // not reducing the minutes' values.
  EXPECT_LT(hours[0].value, store().range("naive:1h")[0].value);
  EXPECT_EQ(sketches_of("raw:1h"), 3);

  // A 10-minute p50 chained from the same minutes: any quantile reads the
  // sketches.
  store().create("raw:10m:p50");
  store().create_rule("raw:1m", "raw:10m:p50", percentile(0.5, 10min));
  std::vector<Sample> more;
  for (Timestamp t = 3 * kPercentileHour + 61'000; t < 4 * kPercentileHour + 1'000; t += 1'000) more.push_back({kPercentileT0 + t, static_cast<double>(20 + (t / 1000) % 7)});
  store().add_many("raw", more);
  std::vector<Sample> all = samples;
  all.push_back({kPercentileT0 + 3 * kPercentileHour, 1});
  all.push_back({kPercentileT0 + 3 * kPercentileHour + 60'000, 1});
  all.insert(all.end(), more.begin(), more.end());
  const auto tens = store().range("raw:10m:p50");
  ASSERT_FALSE(tens.empty());
  const auto exact_tens = at_rank(all, 0.5, 600'000);
  for (const Sample& ten : tens) {
    const double truth = exact_tens.at(ten.timestamp);
    EXPECT_LE(std::abs(ten.value - truth), bound * truth) << "10 min at " << ten.timestamp;
  }
}

TEST_F(TsPercentile, SketchesGoWithTheirBuckets) {
  store().create("src");
  store().create("src:p90", {.retention = 30min, .duplicate_policy = {}, .labels = {}});
  store().create_rule("src", "src:p90", percentile(0.9, 1min));
  store().add_many("src", latencies(1, 9));
  store().add("src", kPercentileT0 + kPercentileHour, 1);
  // The destination keeps 30 minutes; its sketches expire with them.
  EXPECT_EQ(static_cast<long long>(store().range("src:p90").size()), sketches_of("src:p90"));
  EXPECT_EQ(sketches_of("src:p90"), 31);
  // A deleted bucket loses its sketch.
  EXPECT_EQ(store().delete_range("src:p90", kPercentileT0 + 40 * 60'000, kPercentileT0 + 44 * 60'000), 5u);
  EXPECT_EQ(sketches_of("src:p90"), 26);
  // And the series takes the rest with it.
  EXPECT_TRUE(store().remove("src:p90"));
  EXPECT_EQ(sketches_of("src:p90"), 0);
  EXPECT_EQ(client().command({"EXISTS", sketch_key("src:p90")}).as_integer(), 0);
}

TEST_F(TsPercentile, ABackfilledPercentileRuleKeepsSketchesToo) {
  store().create("old");
  store().create("old:p99");
  const auto samples = latencies(2, 13);
  store().add_many("old", samples);
  store().create_rule("old", "old:p99", percentile(0.99, 1min));
  store().backfill_rule("old", "old:p99");
  store().add("old", kPercentileT0 + 2 * kPercentileHour, 1);
  const auto expected =
      store().range("old", {.to = kPercentileT0 + 2 * kPercentileHour - 1, .aggregation = percentile(0.99, 1min), .use_compactions = false});
  ASSERT_EQ(expected.size(), 120u);
  EXPECT_EQ(store().range("old:p99"), expected);
  EXPECT_EQ(sketches_of("old:p99"), 120);
}

TEST_F(TsPercentile, TheRetentionPresetChainsItsLevels) {
  // Chained p99: each level fed by the one below.
  store().apply_retention_preset("api", ts::RetentionPreset{.aggregator = Aggregator::percentile, .quantile = 0.99,
                                                            .chained = true});
  EXPECT_EQ(store().info("api:1m").source, "api");
  EXPECT_EQ(store().info("api:5m").source, "api:1m");
  EXPECT_EQ(store().info("api:1h").source, "api:5m");
  EXPECT_EQ(store().info("api:1d").source, "api:1h");
  EXPECT_EQ(store().rules("api:5m").at(0).aggregation, percentile(0.99, 1h));
  const auto samples = latencies(3, 17);
  store().add_many("api", samples);
  // Each level closes its last bucket once the level below has a sample
  // past it: raw 3:06 closes the minute of 3:05, whose sample closes the
  // five minutes of 3:00, whose sample closes the hour.
  for (const Timestamp after : {0, 60'000, 300'000, 360'000}) store().add("api", kPercentileT0 + 3 * kPercentileHour + after, 1);
  const auto hours = store().range("api:1h");
  ASSERT_EQ(hours.size(), 3u);
  const auto exact = at_rank(samples, 0.99, kPercentileHour);
  for (const Sample& hour : hours) {
    const double truth = exact.at(hour.timestamp);
    EXPECT_LE(std::abs(hour.value - truth), ts::kSketchRelativeAccuracy * (1 + 1e-9) * truth);
  }
  // Chained sum equals the preset fed from raw samples, level by level.
  store().apply_retention_preset("chained", ts::RetentionPreset{.aggregator = Aggregator::sum, .chained = true});
  store().apply_retention_preset("direct", Aggregator::sum);
  std::vector<Sample> whole;
  for (const Sample& s : samples) whole.push_back({s.timestamp, std::round(s.value)});
  store().add_many("chained", whole);
  store().add_many("direct", whole);
  for (const Timestamp after : {0, 60'000, 300'000, 360'000}) {
    store().add("chained", kPercentileT0 + 3 * kPercentileHour + after, 1);
    store().add("direct", kPercentileT0 + 3 * kPercentileHour + after, 1);
  }
  for (const std::string level : {":1m", ":5m", ":1h"}) {
    EXPECT_EQ(store().range("chained" + level), store().range("direct" + level)) << level;
  }
  EXPECT_EQ(store().range("chained:1h").size(), 3u);
  // Applying it again changes nothing.
  store().apply_retention_preset("api", ts::RetentionPreset{.aggregator = Aggregator::percentile, .quantile = 0.99,
                                                            .chained = true});
  EXPECT_EQ(store().rules("api").size(), 1u);
}

TEST_F(TsPercentile, MrangeAggregatesEverySeriesPercentile) {
  for (const std::string host : {"a", "b"}) {
    store().create("svc:" + host, {.retention = {}, .duplicate_policy = {}, .labels = {{"svc", "x"}, {"host", host}}});
  }
  store().add_many("svc:a", latencies(1, 21));
  store().add_many("svc:b", latencies(1, 22));
  const auto series = store().mrange({"svc=x"}, {.aggregation = percentile(0.95, 10min)});
  ASSERT_EQ(series.size(), 2u);
  for (const auto& one : series) {
    EXPECT_EQ(one.samples, store().range(one.name, {.aggregation = percentile(0.95, 10min)})) << one.name;
    EXPECT_EQ(one.samples.size(), 6u);
  }
}

}  // namespace
}  // namespace redkit::test
