// Compaction rules against a real server: destinations hold exactly what an
// aggregation of the source computes, late samples recompute their bucket,
// the retention preset, and long aggregations answered from a destination.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <cmath>
#include <random>
#include <thread>

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

// A rule added to a series with history covers only what arrives after it;
// a backfill computes the rest from the stored samples, replacing what the
// destination held there, and leaves the rule covering everything.
TEST_F(TsRules, BackfillBuildsTheDestinationFromStoredSamples) {
  store().create("hist");
  store().create("hist:1m");
  const Timestamp t0 = 1'700'000'000'000 - 1'700'000'000'000 % 60'000;
  std::vector<Sample> samples;
  for (int i = 0; i < 20'000; ++i) samples.push_back({t0 + i * 15'000, static_cast<double>((i * 37) % 101) / 4});
  store().add_many("hist", samples);
  store().add("hist:1m", t0 + 60'000, -1);  // junk where the backfill will write
  const Aggregation avg{.aggregator = Aggregator::avg, .bucket = 1min};
  store().create_rule("hist", "hist:1m", avg);
  std::vector<ts::RuleBackfill> heard;
  const ts::RuleBackfill done = store().backfill_rule("hist", "hist:1m", [&](const ts::RuleBackfill& at) {
    heard.push_back(at);
  });
  EXPECT_EQ(done.from, t0);
  EXPECT_EQ(done.done_from, t0);
  EXPECT_EQ(done.buckets, 5'000u - 1);  // every minute before the open one
  ASSERT_EQ(heard.size(), 2u);          // 4,096 buckets a slice, newest first
  EXPECT_GT(heard[0].done_from, heard[1].done_from);
  EXPECT_EQ(heard[0].buckets, 4'096u);
  store().add("hist", t0 + 20'000 * 15'000, 1);  // closes the open minute
  expect_close(store().range("hist:1m"), recomputed("hist", avg), "backfilled");
  // Covered now: a late sample in the old range recomputes its bucket.
  store().add("hist", t0 + 7, 1'000);
  expect_close(store().range("hist:1m"), recomputed("hist", avg), "after a late sample");
  // Nothing is left to fill.
  const ts::RuleBackfill again = store().backfill_rule("hist", "hist:1m");
  EXPECT_EQ(again.from, again.to);
  EXPECT_THROW(store().backfill_rule("hist", "nope"), Error);
  EXPECT_THROW(store().backfill_rule("nope", "hist:1m"), ts::SeriesNotFound);
}

// Writers go on while a backfill runs: new samples, and late ones all over
// the backfilled range. Whatever the interleaving, the destination ends
// equal to the source's aggregation computed afresh.
TEST_F(TsRules, BackfillUnderConcurrentWritesEqualsAFreshComputation) {
  store().create("busy");
  store().create("busy:1m");
  const Timestamp t0 = 1'700'000'000'000 - 1'700'000'000'000 % 60'000;
  std::vector<Sample> samples;
  for (int i = 0; i < 40'000; ++i) samples.push_back({t0 + i * 15'000, static_cast<double>(i % 97)});
  store().add_many("busy", samples);
  const Aggregation sum{.aggregator = Aggregator::sum, .bucket = 1min};
  store().create_rule("busy", "busy:1m", sum);
  std::atomic<bool> backfilled{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    Client client(redis().url());
    ts::Store writer_store(client, {.prefix = prefix(), .default_series = {}});
    std::mt19937 random(11);
    Timestamp next = t0 + 40'000 * 15'000;
    // At least 200 writes, and on until the backfill is over.
    for (int i = 0; i < 200 || !backfilled.load(); ++i) {
      if (i % 2 == 0) {
        writer_store.add("busy", next += 15'000, 3);
      } else {
        // Off the 15 s grid, so a late sample is new, never a duplicate.
        const Timestamp late = t0 + static_cast<Timestamp>(random() % 40'000) * 15'000 + 1 + random() % 14'000;
        writer_store.add("busy", late, 1'000);
      }
      written.fetch_add(1);
    }
  });
  const ts::RuleBackfill done = store().backfill_rule("busy", "busy:1m");
  backfilled.store(true);
  writer.join();
  EXPECT_GE(written.load(), 200);
  EXPECT_GT(done.buckets, 9'000u);
  store().add("busy", t0 + 50'000 * 15'000, 0);  // closes every written minute
  const auto got = store().range("busy:1m");
  const auto want = recomputed("busy", sum);
  std::size_t same = 0;
  while (same < std::min(got.size(), want.size()) && got[same] == want[same]) ++same;
  EXPECT_EQ(same, want.size()) << "first difference at bucket " << same << " of " << want.size() << ": "
                               << (same < got.size() ? std::to_string(got[same].timestamp) + " " + std::to_string(got[same].value) : "none")
                               << " stored, "
                               << (same < want.size() ? std::to_string(want[same].timestamp) + " " + std::to_string(want[same].value)
                                                      : "none")
                               << " computed";
  EXPECT_EQ(got.size(), want.size());
  if (got.size() != want.size()) {
    std::map<Timestamp, int> seen;
    for (const Sample& g : got) seen[g.timestamp] += 1;
    for (const Sample& w : want) seen[w.timestamp] += 10;
    int shown = 0;
    for (const auto& [t, k] : seen) if (k != 11 && shown++ < 10) ADD_FAILURE() << "timestamp " << t << " flags " << k << " offset " << (t - t0) % 60000;
  }
}

// A backfill that stopped part way leaves the rule's former coverage
// recorded; running it again rebuilds the whole range.
TEST_F(TsRules, AnInterruptedBackfillIsResumed) {
  store().create("cut");
  store().create("cut:1m");
  const Timestamp t0 = 1'700'000'000'000 - 1'700'000'000'000 % 60'000;
  std::vector<Sample> samples;
  for (int i = 0; i < 40'000; ++i) samples.push_back({t0 + i * 15'000, static_cast<double>(i % 13)});
  store().add_many("cut", samples);
  const Aggregation max{.aggregator = Aggregator::max, .bucket = 1min};
  store().create_rule("cut", "cut:1m", max);
  struct Stop {};
  EXPECT_THROW(store().backfill_rule("cut", "cut:1m", [](const ts::RuleBackfill&) { throw Stop{}; }), Stop);
  // One slice of 4,096 buckets is in, the rest is not.
  EXPECT_EQ(store().range("cut:1m").size(), 4'096u);
  EXPECT_FALSE(client().command({"HGET", prefix() + "ts:{cut}", "fill:cut:1m"}).is_nil());
  const ts::RuleBackfill resumed = store().backfill_rule("cut", "cut:1m");
  EXPECT_EQ(resumed.buckets, 10'000u - 1);
  store().add("cut", t0 + 40'000 * 15'000, 0);
  EXPECT_EQ(store().range("cut:1m"), recomputed("cut", max));
  EXPECT_TRUE(client().command({"HGET", prefix() + "ts:{cut}", "fill:cut:1m"}).is_nil());
  EXPECT_EQ(store().backfill_rule("cut", "cut:1m").buckets, 0u);
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
