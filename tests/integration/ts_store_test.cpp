// The time-series store against a real server: administration, the write
// paths (head, seal, bulk, older samples into sealed chunks), duplicate
// policies, retention, deletes and stats, checked against a plain model.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <thread>

#include "support/ts_store_test.hpp"

namespace redkit::test {
namespace {

using ts::Sample;
using ts::Timestamp;

class TsStore : public TsStoreTest {};

TEST_F(TsStore, CreatesReportsAndRemovesASeries) {
  store().create("cpu", {.retention = std::chrono::hours(24),
                         .duplicate_policy = ts::DuplicatePolicy::last,
                         .labels = {{"host", "web-1"}, {"region", "eu"}}});
  EXPECT_TRUE(store().exists("cpu"));
  EXPECT_THROW(store().create("cpu"), Error);
  EXPECT_FALSE(store().create_if_missing("cpu"));

  const ts::SeriesInfo info = store().info("cpu");
  EXPECT_EQ(info.name, "cpu");
  EXPECT_EQ(info.samples, 0u);
  EXPECT_EQ(info.retention, std::chrono::hours(24));
  EXPECT_EQ(info.duplicate_policy, ts::DuplicatePolicy::last);
  EXPECT_EQ(info.labels, (ts::Labels{{"host", "web-1"}, {"region", "eu"}}));
  EXPECT_FALSE(info.first_timestamp.has_value());
  EXPECT_GT(info.memory_bytes, 0u);

  store().alter("cpu", {.retention = std::chrono::hours(1), .duplicate_policy = {}, .labels = ts::Labels{{"host", "web-2"}}});
  const ts::SeriesInfo altered = store().info("cpu");
  EXPECT_EQ(altered.retention, std::chrono::hours(1));
  EXPECT_EQ(altered.duplicate_policy, ts::DuplicatePolicy::last);
  EXPECT_EQ(altered.labels, (ts::Labels{{"host", "web-2"}}));
  EXPECT_EQ(client().command({"SISMEMBER", prefix() + "{ts-index}:label:host=web-2", "cpu"}).as_integer(), 1);
  EXPECT_EQ(client().command({"EXISTS", prefix() + "{ts-index}:label:host=web-1"}).as_integer(), 0);

  store().add_many("cpu", test::gauge_samples(3000, 1'000, 1'000, 1));
  EXPECT_TRUE(store().remove("cpu"));
  EXPECT_FALSE(store().exists("cpu"));
  EXPECT_FALSE(store().remove("cpu"));
  EXPECT_EQ(keys_under_prefix(), std::vector<std::string>{});
}

TEST_F(TsStore, MissingSeriesIsReportedAndAddCreatesIt) {
  EXPECT_THROW(store().info("nope"), ts::SeriesNotFound);
  EXPECT_THROW(store().range("nope"), ts::SeriesNotFound);
  EXPECT_THROW(store().latest("nope"), ts::SeriesNotFound);
  EXPECT_THROW(store().alter("nope", {}), ts::SeriesNotFound);
  store().add("auto", 5, 1.5);
  EXPECT_EQ(store().range("auto"), (std::vector<Sample>{{5, 1.5}}));
  EXPECT_EQ(store().info("auto").duplicate_policy, ts::DuplicatePolicy::block);
}

TEST_F(TsStore, SamplesAddedOneByOneSurviveSealingIntoChunks) {
  const auto samples = test::gauge_samples(2000, 1'700'000'000'000, 1'000, 2);
  for (const Sample& sample : samples) {
    store().add("g", sample.timestamp, sample.value);
  }
  EXPECT_EQ(store().range("g"), samples);
  auto reversed = samples;
  std::reverse(reversed.begin(), reversed.end());
  EXPECT_EQ(store().reverse_range("g"), reversed);
  const ts::SeriesInfo info = store().info("g");
  EXPECT_EQ(info.samples, 2000u);
  EXPECT_GE(info.chunks, 1u);
  EXPECT_EQ(info.first_timestamp, samples.front().timestamp);
  EXPECT_EQ(info.last_timestamp, samples.back().timestamp);
  EXPECT_EQ(store().latest("g"), samples.back());
  // The head holds fewer samples than a seal takes.
  EXPECT_LT(client().command({"STRLEN", prefix() + "ts:{g}:head"}).as_integer(), 512 * 16);
}

// A small series is compressed early: its first seal comes at 64 samples,
// later ones when the head reaches 512, through add and add_many alike
// (which seals the heads it fills together).
TEST_F(TsStore, TheFirstSealComesEarlyAndLaterOnesAtFullHeads) {
  // A seal leaves the newest record in the head (mget reads it there).
  const auto samples = test::gauge_samples(64 + 511, 1'700'000'000'000, 10'000, 2);
  auto head_records = [&](const std::string& name) {
    return client().command({"STRLEN", prefix() + "ts:{" + name + "}:head"}).as_integer() / 16;
  };
  const std::vector<std::string> many{"many-a", "many-b", "many-c"};
  auto add_to_many = [&](const Sample& sample) {
    std::vector<ts::NamedSample> round;
    for (const std::string& name : many) {
      round.push_back({name, sample.timestamp, sample.value});
    }
    store().add_many(round);
  };
  for (std::size_t i = 0; i < 63; ++i) {
    store().add("one", samples[i].timestamp, samples[i].value);
    add_to_many(samples[i]);
  }
  for (const std::string name : {"one", "many-a", "many-b", "many-c"}) {
    EXPECT_EQ(store().info(name).chunks, 0u) << name;
    EXPECT_EQ(head_records(name), 63) << name;
  }
  store().add("one", samples[63].timestamp, samples[63].value);
  add_to_many(samples[63]);
  for (const std::string name : {"one", "many-a", "many-b", "many-c"}) {
    EXPECT_EQ(store().info(name).chunks, 1u) << name;
    EXPECT_EQ(head_records(name), 1) << name;
    EXPECT_EQ(store().range(name), std::vector<Sample>(samples.begin(), samples.begin() + 64)) << name;
    EXPECT_EQ(store().latest(name), samples[63]) << name;
  }
  for (std::size_t i = 64; i < samples.size() - 1; ++i) {
    store().add("one", samples[i].timestamp, samples[i].value);
  }
  EXPECT_EQ(head_records("one"), 511);
  store().add("one", samples.back().timestamp, samples.back().value);
  EXPECT_EQ(head_records("one"), 1);
  EXPECT_EQ(store().info("one").chunks, 1u);
  EXPECT_EQ(store().range("one"), samples);
  EXPECT_EQ(store().info("one").samples, samples.size());
}

TEST_F(TsStore, BulkAddCompressesAndQueriesReadOnlyWhatTheyNeed) {
  const auto samples = test::gauge_samples(200'000, 0, 1'000, 3);
  store().add_many("bulk", samples);
  EXPECT_EQ(store().range("bulk"), samples);
  const ts::SeriesInfo info = store().info("bulk");
  EXPECT_EQ(info.samples, samples.size());
  // Far below the 16 bytes of a raw sample, let alone a sorted-set member.
  EXPECT_LT(static_cast<double>(info.memory_bytes) / static_cast<double>(samples.size()), 2.0);

  const auto middle = store().range("bulk", {.from = 50'000'500, .to = 50'010'000});
  ASSERT_EQ(middle.size(), 10u);
  EXPECT_EQ(middle.front(), samples[50'001]);
  const auto first_three = store().range("bulk", {.count = 3});
  EXPECT_EQ(first_three, std::vector<Sample>(samples.begin(), samples.begin() + 3));
  const auto last_two = store().reverse_range("bulk", {.count = 2});
  EXPECT_EQ(last_two, (std::vector<Sample>{samples.back(), samples[samples.size() - 2]}));
}

TEST_F(TsStore, OlderSamplesLandInTheirPlaceInsideSealedChunks) {
  std::map<Timestamp, double> model;
  std::vector<Sample> even;
  for (Timestamp t = 0; t < 20'000; t += 2) {
    even.push_back({t, static_cast<double>(t) / 4});
    model[t] = static_cast<double>(t) / 4;
  }
  store().add_many("ooo", even);
  std::mt19937_64 random(4);
  std::uniform_int_distribution<Timestamp> odd(0, 9'999);
  for (int i = 0; i < 300; ++i) {
    const Timestamp t = odd(random) * 2 + 1;
    store().add("ooo", t, -static_cast<double>(t), ts::DuplicatePolicy::last);
    model[t] = -static_cast<double>(t);
  }
  store().add("ooo", -50, 7.25);  // before every chunk
  model[-50] = 7.25;
  EXPECT_EQ(store().range("ooo"), samples_of(model));
  EXPECT_EQ(store().info("ooo").samples, model.size());
  EXPECT_EQ(store().info("ooo").first_timestamp, -50);
}

struct PolicyCase {
  ts::DuplicatePolicy policy;
  double expected;  // stored 10, then 4 added at the same timestamp
};

class TsDuplicatePolicy : public TsStoreTest, public ::testing::WithParamInterface<PolicyCase> {};

TEST_P(TsDuplicatePolicy, ResolvesInTheHeadAndInSealedChunks) {
  const PolicyCase& param = GetParam();
  store().create("d", {.retention = {}, .duplicate_policy = param.policy, .labels = {}});
  // Timestamp 100 ends up in a sealed chunk, 5000 stays in the head.
  std::vector<Sample> samples;
  for (Timestamp t = 0; t < 5'000; ++t) {
    samples.push_back({t, t == 100 ? 10.0 : 1.0});
  }
  store().add_many("d", samples);
  store().add("d", 5'000, 10.0);
  samples.push_back({5'000, 10.0});
  ASSERT_GE(store().info("d").chunks, 1u);
  for (const Timestamp t : {Timestamp{100}, Timestamp{5'000}}) {
    if (param.policy == ts::DuplicatePolicy::block) {
      EXPECT_THROW(store().add("d", t, 4.0), ts::SampleRejected) << t;
    } else {
      store().add("d", t, 4.0);
    }
    const auto stored = store().range("d", {.from = t, .to = t});
    ASSERT_EQ(stored.size(), 1u) << t;
    EXPECT_EQ(stored.front().value, param.expected) << t;
  }
  EXPECT_EQ(store().info("d").samples, samples.size());
}

INSTANTIATE_TEST_SUITE_P(Policies, TsDuplicatePolicy,
                         ::testing::Values(PolicyCase{ts::DuplicatePolicy::block, 10.0},
                                           PolicyCase{ts::DuplicatePolicy::first, 10.0},
                                           PolicyCase{ts::DuplicatePolicy::last, 4.0},
                                           PolicyCase{ts::DuplicatePolicy::min, 4.0},
                                           PolicyCase{ts::DuplicatePolicy::max, 10.0},
                                           PolicyCase{ts::DuplicatePolicy::sum, 14.0}));

TEST_F(TsStore, PerCallPolicyOverridesTheSeries) {
  store().add("o", 1, 2.0);
  EXPECT_THROW(store().add("o", 1, 3.0), ts::SampleRejected);
  store().add("o", 1, 3.0, ts::DuplicatePolicy::sum);
  EXPECT_EQ(store().range("o"), (std::vector<Sample>{{1, 5.0}}));
}

TEST_F(TsStore, AddManyResolvesDuplicatesWithinTheBatchInOrder) {
  store().create("m", {.retention = {}, .duplicate_policy = ts::DuplicatePolicy::sum, .labels = {}});
  store().add_many("m", std::vector<Sample>{{3, 1}, {1, 1}, {3, 2}, {2, 5}, {3, 4}});
  EXPECT_EQ(store().range("m"), (std::vector<Sample>{{1, 1}, {2, 5}, {3, 7}}));
}

TEST_F(TsStore, RetentionDropsExpiredChunksAndNeverReturnsExpiredSamples) {
  store().create("r", {.retention = std::chrono::milliseconds(10'000), .duplicate_policy = {}, .labels = {}});
  const auto samples = test::gauge_samples(100'000, 0, 1, 5);  // 1 ms apart
  store().add_many("r", samples);
  const auto kept = store().range("r");
  ASSERT_FALSE(kept.empty());
  EXPECT_EQ(kept.front().timestamp, 99'999 - 10'000);
  EXPECT_EQ(kept.back().timestamp, 99'999);
  EXPECT_EQ(kept.size(), 10'001u);
  const ts::SeriesInfo info = store().info("r");
  EXPECT_LT(info.samples, 30'000u) << "expired chunks were not deleted";
  EXPECT_THROW(store().add("r", 50'000, 1.0), ts::SampleRejected);
  // More data moves the window; one-by-one adds trim as they seal.
  for (Timestamp t = 100'000; t < 130'000; t += 10) {
    store().add("r", t, 1.0);
  }
  EXPECT_EQ(store().range("r").front().timestamp, 129'990 - 10'000);
  EXPECT_LT(store().info("r").samples, 15'000u);
}

TEST_F(TsStore, DeleteRangeCutsTheHeadWholeChunksAndStraddlingChunks) {
  auto samples = test::gauge_samples(30'000, 0, 10, 6);
  store().add_many("del", samples);
  for (Timestamp t = 300'000; t < 300'100; t += 10) {
    store().add("del", t, 1.0);  // head
    samples.push_back({t, 1.0});
  }
  std::map<Timestamp, double> model;
  for (const Sample& s : samples) model[s.timestamp] = s.value;
  auto erase = [&](Timestamp lo, Timestamp hi) {
    std::uint64_t n = 0;
    for (auto it = model.lower_bound(lo); it != model.end() && it->first <= hi;) {
      it = model.erase(it);
      ++n;
    }
    return n;
  };
  for (const auto& [lo, hi] : std::vector<std::pair<Timestamp, Timestamp>>{
           {12'345, 55'555}, {100'000, 200'000}, {300'020, 300'050}, {-5, 3}, {299'990, 299'990}}) {
    EXPECT_EQ(store().delete_range("del", lo, hi), erase(lo, hi)) << lo << ".." << hi;
    EXPECT_EQ(store().range("del"), samples_of(model)) << lo << ".." << hi;
  }
  EXPECT_EQ(store().info("del").samples, model.size());
  EXPECT_EQ(store().delete_range("del", ts::kEarliest, ts::kLatest), model.size());
  EXPECT_EQ(store().range("del"), std::vector<Sample>{});
  EXPECT_FALSE(store().info("del").last_timestamp.has_value());
  store().add("del", 1, 1.0);
  EXPECT_EQ(store().range("del"), (std::vector<Sample>{{1, 1.0}}));
}

TEST_F(TsStore, StatsMatchEverySampleWithoutReadingThem) {
  const auto samples = test::gauge_samples(50'000, 0, 1'000, 7);
  store().add_many("s", samples);
  for (const auto& [lo, hi] : std::vector<std::pair<Timestamp, Timestamp>>{
           {ts::kEarliest, ts::kLatest}, {1'234'567, 40'000'000}, {5'000, 5'000}, {-10, -1}}) {
    double sum = 0, mn = INFINITY, mx = -INFINITY;
    std::uint64_t count = 0;
    std::optional<Sample> latest;
    for (const Sample& s : samples) {
      if (s.timestamp < lo || s.timestamp > hi) continue;
      ++count;
      sum += s.value;
      mn = std::min(mn, s.value);
      mx = std::max(mx, s.value);
      latest = s;
    }
    const ts::SeriesStats stats = store().stats("s", lo, hi);
    EXPECT_EQ(stats.count, count);
    if (count > 0) {
      EXPECT_EQ(stats.min, mn);
      EXPECT_EQ(stats.max, mx);
      EXPECT_NEAR(stats.avg, sum / static_cast<double>(count), 1e-9);
      EXPECT_EQ(stats.latest, latest);
    }
  }
}

TEST_F(TsStore, ConcurrentWritersLoseNoSample) {
  constexpr int kPerWriter = 500;
  auto writer = [&](int parity) {
    ts::Store own(client(), {.prefix = prefix(), .default_series = {}});
    for (int i = 0; i < kPerWriter; ++i) {
      own.add("shared", 2 * i + parity, i);
    }
  };
  auto bulk = [&] {
    ts::Store own(client(), {.prefix = prefix(), .default_series = {}});
    std::vector<Sample> batch;
    for (int i = 0; i < 5'000; ++i) batch.push_back({1'000'000 + i, 1.0});
    own.add_many("shared", batch);
  };
  store().create("shared");
  std::thread even(writer, 0), odd(writer, 1), big(bulk);
  even.join();
  odd.join();
  big.join();
  const auto stored = store().range("shared");
  ASSERT_EQ(stored.size(), 2u * kPerWriter + 5'000);
  for (int i = 0; i < 2 * kPerWriter; ++i) {
    ASSERT_EQ(stored[i].timestamp, i);
    ASSERT_EQ(stored[i].value, i / 2);
  }
  EXPECT_EQ(store().info("shared").samples, stored.size());
}

TEST_F(TsStore, AddManyAcrossSeriesPipelinesAndHandlesEveryCase) {
  store().create("blocked");
  store().add("blocked", 10, 1.0);
  std::vector<ts::NamedSample> samples;
  for (int i = 0; i < 600; ++i) {  // enough to seal the head of "a"
    samples.push_back({"a", i, static_cast<double>(i)});
  }
  samples.push_back({"b", 5, 2.5});   // created on the way
  samples.push_back({"b", 3, 1.5});   // out of order within the call
  samples.push_back({"blocked", 10, 9.0});  // duplicate under block
  samples.push_back({"blocked", 11, 4.0});
  EXPECT_THROW(store().add_many(samples), ts::SampleRejected);
  EXPECT_EQ(store().info("a").samples, 600u);
  EXPECT_EQ(store().range("b"), (std::vector<Sample>{{3, 1.5}, {5, 2.5}}));
  EXPECT_EQ(store().range("blocked"), (std::vector<Sample>{{10, 1.0}, {11, 4.0}}));
  std::vector<ts::NamedSample> bad{{"c", 1, 1.0}, {"d", 2, NAN}};
  EXPECT_THROW(store().add_many(bad), InvalidArgument);
  EXPECT_FALSE(store().exists("c"));
}

// add_many appends the common case of many series in batched calls and
// sends every other series through the one-series path: each kind below
// must end as if added alone, whichever batch it falls in.
TEST_F(TsStore, AddManyBatchesTheCommonCaseAndRoutesEveryOtherSeriesCorrectly) {
  constexpr int kPlain = 2'100;  // more than two batches
  for (int i = 0; i < kPlain; ++i) store().create("plain:" + std::to_string(i));
  store().create("ruled");
  store().create("ruled:10s");
  store().create_rule("ruled", "ruled:10s", {.aggregator = ts::Aggregator::sum, .bucket = std::chrono::seconds(10)});
  store().create("older");
  store().add("older", 50'000, 1.0);
  store().create("floored", {.retention = std::chrono::seconds(5)});
  store().add("floored", 1'000, 1.0);
  store().add("floored", 10'000, 2.0);
  store().delete_range("floored", 10'000, 10'000);  // keeps the floor at 5 000
  for (int round = 0; round < 3; ++round) {
    std::vector<ts::NamedSample> samples;
    const Timestamp t = 10'000 * (round + 1);
    for (int i = 0; i < kPlain; ++i) samples.push_back({"plain:" + std::to_string(i), t, i + round * 0.5});
    samples.push_back({"ruled", t, 1.0});
    samples.push_back({"older", t, 2.0});  // older than its newest: placed
    samples.push_back({"missing:" + std::to_string(round), t, 3.0});  // created
    store().add_many(samples);
  }
  for (int i = 0; i < kPlain; i += 97) {
    EXPECT_EQ(store().range("plain:" + std::to_string(i)),
              (std::vector<Sample>{{10'000, i + 0.0}, {20'000, i + 0.5}, {30'000, i + 1.0}}))
        << i;
  }
  // The rule was fed: the buckets of 10 000 and 20 000 are closed.
  EXPECT_EQ(store().range("ruled:10s"), (std::vector<Sample>{{10'000, 1.0}, {20'000, 1.0}}));
  EXPECT_EQ(store().range("older"),
            (std::vector<Sample>{{10'000, 2.0}, {20'000, 2.0}, {30'000, 2.0}, {50'000, 1.0}}));
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(store().range("missing:" + std::to_string(round)).size(), 1u);
  }
  // Newer than the series but below its floor: refused on the one-series
  // path, the others stored.
  std::vector<ts::NamedSample> below{{"floored", 3'000, 5.0}, {"plain:0", 40'000, 4.0}};
  EXPECT_THROW(store().add_many(below), ts::SampleRejected);
  EXPECT_EQ(store().latest("plain:0"), (Sample{40'000, 4.0}));
  EXPECT_TRUE(store().range("floored").empty());
  // A head that is not a whole number of records is reported, not extended.
  client().command({"APPEND", prefix() + "ts:{plain:1}:head", "xyz"});
  std::vector<ts::NamedSample> torn{{"plain:1", 50'000, 1.0}, {"plain:2", 50'000, 2.0}};
  EXPECT_THROW(store().add_many(torn), ProtocolError);
  EXPECT_EQ(client().command({"STRLEN", prefix() + "ts:{plain:1}:head"}).as_integer(), 3 * 16 + 3);
  EXPECT_EQ(store().latest("plain:2"), (Sample{50'000, 2.0}));
}

TEST_F(TsStore, BadInputIsRefusedByNameAndLeavesNothing) {
  EXPECT_NE(message_of([&] { store().create(""); }).find("empty"), std::string::npos);
  EXPECT_NE(message_of([&] { store().create("a{b"); }).find("a{b"), std::string::npos);
  EXPECT_NE(message_of([&] { store().create("x", {.retention = std::chrono::milliseconds(-1), .duplicate_policy = {}, .labels = {}}); })
                .find("-1"),
            std::string::npos);
  EXPECT_NE(message_of([&] { store().create("x", {.retention = {}, .duplicate_policy = {}, .labels = {{"ho st", "a"}}}); })
                .find("ho st"),
            std::string::npos);
  EXPECT_NE(message_of([&] { store().add("x", 1, NAN); }).find("nan"), std::string::npos);
  EXPECT_NE(message_of([&] { store().add("x", 1, INFINITY); }).find("inf"), std::string::npos);
  EXPECT_NE(message_of([&] { store().add("x", ts::kMaxTimestamp + 1, 1); }).find("9007199254740992"), std::string::npos);
  EXPECT_NE(message_of([&] {
              store().add_many("x", std::vector<Sample>{{1, 1}, {2, NAN}});
            }).find("timestamp 2"),
            std::string::npos);
  EXPECT_NE(message_of([&] { store().range("x", {.from = 5, .to = 1}); }).find("5"), std::string::npos);
  EXPECT_NE(message_of([&] {
              store().range("x", {.aggregation = ts::Aggregation{.aggregator = ts::Aggregator::avg,
                                                                 .bucket = std::chrono::milliseconds(0)}});
            }).find("bucket 0"),
            std::string::npos);
  EXPECT_NE(message_of([] { ts::parse_aggregator("median"); }).find("median"), std::string::npos);
  EXPECT_NE(message_of([] { ts::parse_duplicate_policy("newest"); }).find("newest"), std::string::npos);
  EXPECT_EQ(keys_under_prefix(), std::vector<std::string>{});
}

// storage_stats reads the index of series; here the same figures come from
// a SCAN of every key under the prefix: each series' metadata hash found
// (and its info()), and MEMORY USAGE of every key that is not part of the
// label index.
TEST_F(TsStore, StorageStatsEqualAFullScan) {
  for (int i = 0; i < 30; ++i) {
    const std::string name = "stat:" + std::to_string(i);
    ts::Labels labels{{"tier", i % 3 == 0 ? "gold" : "bronze"}};
    if (i % 5 == 0) labels.clear();
    store().create(name, {.labels = labels});
    // Sizes from a few samples (head only) to several chunks.
    store().add_many(name, test::gauge_samples(static_cast<std::size_t>(1 + i * i * 17), 1'000'000, 1'000, 2));
  }
  std::uint64_t samples = 0;
  std::uint64_t memory = 0;
  std::size_t series = 0;
  std::map<std::string, std::uint64_t> gold_bronze_none;
  std::string largest;
  std::uint64_t largest_memory = 0;
  for (const std::string& key : keys_under_prefix()) {
    if (key.find("{ts-index}") != std::string::npos) continue;
    memory += static_cast<std::uint64_t>(client().command({"MEMORY", "USAGE", key, "SAMPLES", "0"}).as_integer());
    if (!key.ends_with("}")) continue;  // a part of a series, not its metadata
    const std::string name = key.substr(key.find('{') + 1, key.size() - key.find('{') - 2);
    const ts::SeriesInfo info = store().info(name);
    ++series;
    samples += info.samples;
    const auto tier = info.labels.find("tier");
    gold_bronze_none[tier == info.labels.end() ? "" : tier->second] += 1;
    if (info.memory_bytes > largest_memory) largest_memory = info.memory_bytes, largest = name;
  }
  const ts::StorageStats stats = store().storage_stats("tier", 3);
  EXPECT_EQ(stats.total.series, series);
  EXPECT_EQ(stats.total.samples, samples);
  EXPECT_EQ(stats.total.memory_bytes, memory);
  ASSERT_EQ(stats.largest.size(), 3u);
  EXPECT_EQ(stats.largest.front().name, largest);
  EXPECT_GE(stats.largest[0].memory_bytes, stats.largest[1].memory_bytes);
  EXPECT_EQ(stats.label, "tier");
  ASSERT_EQ(stats.by_label.size(), 3u);
  for (const auto& [value, usage] : stats.by_label) EXPECT_EQ(usage.series, gold_bronze_none[value]) << value;
  EXPECT_EQ(stats.by_label.at("").series + stats.by_label.at("gold").series + stats.by_label.at("bronze").series, 30u);
  EXPECT_TRUE(store().storage_stats().by_label.empty());
}

}  // namespace
}  // namespace redkit::test
