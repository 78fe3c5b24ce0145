// Multi-series queries through the label index: every filter form, mget,
// mrange with aggregation and with group-by and a reducer.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "support/ts_store_test.hpp"

namespace redkit::test {
namespace {

using ts::Aggregator;
using ts::Sample;

class TsLabels : public TsStoreTest {
 protected:
  void SetUp() override {
    TsStoreTest::SetUp();
    create("cpu:web-1", {{"metric", "cpu"}, {"host", "web-1"}, {"dc", "eu"}});
    create("cpu:web-2", {{"metric", "cpu"}, {"host", "web-2"}, {"dc", "us"}});
    create("cpu:db-1", {{"metric", "cpu"}, {"host", "db-1"}, {"dc", "eu"}, {"role", "db"}});
    create("mem:web-1", {{"metric", "mem"}, {"host", "web-1"}, {"dc", "eu"}});
    create("unlabelled", {});
    for (const std::string name : {"cpu:web-1", "cpu:web-2", "cpu:db-1", "mem:web-1", "unlabelled"}) {
      for (int i = 0; i < 5; ++i) {
        store().add(name, i * 1'000, static_cast<double>(name.size() + i));
      }
    }
  }
  void create(const std::string& name, ts::Labels labels) {
    store().create(name, {.retention = {}, .duplicate_policy = {}, .labels = std::move(labels)});
  }
  std::vector<std::string> names(std::vector<std::string> filters) { return store().query_index(filters); }
};

TEST_F(TsLabels, EveryFilterFormSelectsTheRightSeries) {
  using V = std::vector<std::string>;
  EXPECT_EQ(names({"metric=cpu"}), (V{"cpu:db-1", "cpu:web-1", "cpu:web-2"}));
  EXPECT_EQ(names({"metric=cpu", "dc=eu"}), (V{"cpu:db-1", "cpu:web-1"}));
  EXPECT_EQ(names({"metric=cpu", "dc!=eu"}), (V{"cpu:web-2"}));
  EXPECT_EQ(names({"host=(web-1,web-2)"}), (V{"cpu:web-1", "cpu:web-2", "mem:web-1"}));
  EXPECT_EQ(names({"metric=cpu", "host!=(web-1,web-2)"}), (V{"cpu:db-1"}));
  EXPECT_EQ(names({"metric=cpu", "role="}), (V{"cpu:web-1", "cpu:web-2"}));
  EXPECT_EQ(names({"role!="}), (V{"cpu:db-1"}));
  EXPECT_EQ(names({"metric="}), (V{"unlabelled"}));
  EXPECT_EQ(names({"metric=disk"}), V{});
  store().alter("cpu:web-2", {.retention = {}, .duplicate_policy = {}, .labels = ts::Labels{{"metric", "disk"}}});
  EXPECT_EQ(names({"metric=disk"}), (V{"cpu:web-2"}));
  store().remove("cpu:db-1");
  EXPECT_EQ(names({"metric=cpu"}), (V{"cpu:web-1"}));
}

TEST_F(TsLabels, MgetAndMrange) {
  const auto latest = store().mget({"dc=eu"});
  ASSERT_EQ(latest.size(), 3u);
  EXPECT_EQ(latest[0].name, "cpu:db-1");
  EXPECT_EQ(latest[0].labels.at("role"), "db");
  EXPECT_EQ(latest[0].samples, (std::vector<Sample>{{4'000, 12.0}}));

  const auto ranges = store().mrange({"metric=cpu"}, {.from = 1'000, .to = 2'000});
  ASSERT_EQ(ranges.size(), 3u);
  EXPECT_EQ(ranges[1].name, "cpu:web-1");
  EXPECT_EQ(ranges[1].samples, (std::vector<Sample>{{1'000, 10.0}, {2'000, 11.0}}));

  const auto per_dc = store().mrange(
      {"metric=cpu"}, {.aggregation = ts::Aggregation{.aggregator = Aggregator::max, .bucket = std::chrono::seconds(2)}},
      ts::GroupBy{.label = "dc", .reducer = Aggregator::sum});
  ASSERT_EQ(per_dc.size(), 2u);
  EXPECT_EQ(per_dc[0].name, "dc=eu");
  EXPECT_EQ(per_dc[0].labels.at("__source__"), "cpu:db-1,cpu:web-1");
  // max per 2 s bucket of each eu series (values 8+i and 9+i), summed.
  EXPECT_EQ(per_dc[0].samples, (std::vector<Sample>{{0, 8 + 1 + 9 + 1}, {2'000, 8 + 3 + 9 + 3}, {4'000, 8 + 4 + 9 + 4}}));
  EXPECT_EQ(per_dc[1].name, "dc=us");
  EXPECT_EQ(per_dc[1].samples.size(), 3u);
}

// What a label selection asks for is what mget and mrange return: every
// label, none, or the named ones (a series lacking one simply lacks it); the
// samples are the same whatever the selection.
TEST_F(TsLabels, LabelSelectionDecidesWhichLabelsComeBack) {
  using ts::LabelSelection;
  const auto all = store().mget({"dc=eu"}, LabelSelection::all());
  const auto none = store().mget({"dc=eu"}, LabelSelection::none());
  const auto some = store().mget({"dc=eu"}, LabelSelection::only({"role", "host"}));
  ASSERT_EQ(all.size(), 3u);
  ASSERT_EQ(none.size(), 3u);
  ASSERT_EQ(some.size(), 3u);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(none[i].name, all[i].name);
    EXPECT_EQ(none[i].samples, all[i].samples);
    EXPECT_EQ(some[i].samples, all[i].samples);
    EXPECT_TRUE(none[i].labels.empty());
  }
  EXPECT_EQ(all[0].labels, (ts::Labels{{"metric", "cpu"}, {"host", "db-1"}, {"dc", "eu"}, {"role", "db"}}));
  EXPECT_EQ(some[0].labels, (ts::Labels{{"host", "db-1"}, {"role", "db"}}));
  EXPECT_EQ(some[1].labels, (ts::Labels{{"host", "web-1"}}));

  const ts::RangeOptions window{.from = 1'000, .to = 2'000};
  const auto ranges = store().mrange({"metric=cpu"}, window, std::nullopt, LabelSelection::only({"dc"}));
  ASSERT_EQ(ranges.size(), 3u);
  EXPECT_EQ(ranges[1].labels, (ts::Labels{{"dc", "eu"}}));
  EXPECT_EQ(ranges[1].samples, store().range("cpu:web-1", window));
  const auto bare = store().mrange({"metric=cpu"}, window, std::nullopt, LabelSelection::none());
  ASSERT_EQ(bare.size(), 3u);
  EXPECT_TRUE(bare[2].labels.empty());
  EXPECT_EQ(bare[2].samples, store().range("cpu:web-2", window));
  // A group-by reads the label it groups by, whatever the selection says.
  const auto per_dc =
      store().mrange({"metric=cpu"}, window, ts::GroupBy{.label = "dc", .reducer = Aggregator::sum},
                     LabelSelection::none());
  ASSERT_EQ(per_dc.size(), 2u);
  EXPECT_EQ(per_dc[0].name, "dc=eu");
  EXPECT_EQ(per_dc[0].labels.at("__source__"), "cpu:db-1,cpu:web-1");
}

// mget reads every head's last record in one round trip; a series whose
// head is empty (everything sealed) is read from its newest chunk.
TEST_F(TsLabels, MgetAgreesWithLatestForHeadsAndSealedSeries) {
  std::vector<ts::NamedSample> round;
  for (int i = 0; i < 1'005; ++i) {
    const std::string name = "many:" + std::to_string(i);
    create(name, {{"metric", "many"}});
    round.push_back({name, 1'000 + i, static_cast<double>(i) / 4});
  }
  store().add_many(round);
  create("sealed", {{"metric", "many"}});
  std::vector<ts::NamedSample> bulk;
  for (int i = 0; i < 2'000; ++i) bulk.push_back({"sealed", i * 10, static_cast<double>(i)});
  store().add_many(bulk);
  ASSERT_EQ(client().command({"STRLEN", prefix() + "ts:{sealed}:head"}).as_integer(), 0);
  const auto answers = store().mget({"metric=many"});
  ASSERT_EQ(answers.size(), 1'006u);
  for (const auto& answer : answers) {
    ASSERT_EQ(answer.samples.size(), 1u) << answer.name;
    EXPECT_EQ(answer.samples.front(), *store().latest(answer.name)) << answer.name;
    EXPECT_EQ(answer.labels, (ts::Labels{{"metric", "many"}})) << answer.name;
  }
  EXPECT_EQ(answers.back().name, "sealed");
  EXPECT_EQ(answers.back().samples.front(), (Sample{19'990, 1'999.0}));
  // With its newest sample deleted from a chunk, the series' metadata no
  // longer holds the newest value: it is read from the newest chunk, the
  // general way and through the index set alike.
  ASSERT_EQ(store().delete_range("sealed", 19'990, 19'990), 1u);
  ASSERT_TRUE(client().command({"HGET", prefix() + "ts:{sealed}", "nw"}).is_nil());
  for (const std::vector<std::string>& filters :
       {std::vector<std::string>{"metric=many"}, std::vector<std::string>{"metric=many", "absent="}}) {
    const auto after = store().mget(filters, ts::LabelSelection::none());
    ASSERT_EQ(after.size(), 1'006u);
    EXPECT_EQ(after.back().samples, (std::vector<Sample>{{19'980, 1'998.0}}));
    EXPECT_EQ(after.front().samples, answers.front().samples);
  }
  // A recorded newest sample whose timestamp is not 'last' (as a writer that
  // moves 'last' without keeping 'nw' would leave it) is never trusted.
  const std::string meta = prefix() + "ts:{many:7}";
  std::string stale(16, '\0');
  const long long stale_timestamp = 1;
  const double stale_value = 123;
  std::memcpy(stale.data(), &stale_timestamp, 8);
  std::memcpy(stale.data() + 8, &stale_value, 8);
  client().command({"HSET", meta, "nw", stale});
  const auto distrusted = store().mget({"metric=many"}, ts::LabelSelection::none());
  const auto seven = std::find_if(distrusted.begin(), distrusted.end(), [](const auto& s) { return s.name == "many:7"; });
  ASSERT_NE(seven, distrusted.end());
  EXPECT_EQ(seven->samples, (std::vector<Sample>{*store().latest("many:7")}));
  // Named labels come through the index set's read too.
  const auto named = store().mget({"metric=many"}, ts::LabelSelection::only({"metric", "missing"}));
  ASSERT_EQ(named.size(), 1'006u);
  EXPECT_EQ(named.front().labels, (ts::Labels{{"metric", "many"}}));
}

// mget answers from the newest sample the writers record in the metadata,
// so a head damaged from outside does not change its answer; the reads that
// decode the head (latest, range) name it.
TEST_F(TsLabels, MgetAnswersFromTheMetadataAndReadsOfTheHeadNameItsDamage) {
  auto newest = [&](const std::vector<std::string>& filters) {
    std::vector<std::pair<std::string, std::vector<Sample>>> out;
    for (const auto& series : store().mget(filters)) {
      out.emplace_back(series.name, series.samples);
    }
    return out;
  };
  const auto before = newest({"metric=cpu"});
  ASSERT_EQ(before.size(), 3u);
  ASSERT_EQ(before[2].first, "cpu:web-2");
  ASSERT_EQ(before[2].second.size(), 1u);
  client().command({"APPEND", prefix() + "ts:{cpu:web-2}:head", "xyz"});
  EXPECT_EQ(newest({"metric=cpu"}), before);
  EXPECT_EQ(newest({"metric=cpu", "dc=us"}).at(0), before.at(2));
  try {
    (void)store().latest("cpu:web-2");
    ADD_FAILURE() << "no error";
  } catch (const ProtocolError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("cpu:web-2"), std::string::npos) << message;
  }
}

// mrange fetches every series' first page in batched round trips; each
// series' answer must be what range() gives it, also when the range spans
// several pages, a count stops early, or a rule's destination answers.
TEST_F(TsLabels, MrangeAgreesWithRangeAcrossBatchesPagesAndRules) {
  std::vector<ts::NamedSample> samples;
  for (int i = 0; i < 300; ++i) {
    const std::string name = "wide:" + std::to_string(i);
    create(name, {{"metric", "wide"}});
    const int length = i % 50 == 0 ? 5'000 : 3;
    for (int t = 0; t < length; ++t) samples.push_back({name, t * 100, static_cast<double>((i * 31 + t) % 97)});
  }
  store().add_many(samples);
  create("wide:1m", {});
  store().create_rule("wide:50", "wide:1m", {.aggregator = Aggregator::max, .bucket = std::chrono::seconds(60)});
  std::vector<ts::NamedSample> more;
  for (int t = 5'000; t < 7'000; ++t) more.push_back({"wide:50", t * 100, static_cast<double>(t % 89)});
  store().add_many(more);
  const std::vector<ts::RangeOptions> queries{
      {},
      {.from = 150, .to = 450'000},
      {.count = 1'500},
      {.aggregation = ts::Aggregation{.aggregator = Aggregator::avg, .bucket = std::chrono::seconds(1)}},
      {.aggregation = ts::Aggregation{.aggregator = Aggregator::max, .bucket = std::chrono::seconds(60)}},
  };
  for (std::size_t q = 0; q < queries.size(); ++q) {
    const auto answers = store().mrange({"metric=wide"}, queries[q]);
    ASSERT_EQ(answers.size(), 300u) << "query " << q;
    for (const auto& answer : answers) {
      EXPECT_EQ(answer.samples, store().range(answer.name, queries[q])) << answer.name << ", query " << q;
      EXPECT_EQ(answer.labels, (ts::Labels{{"metric", "wide"}})) << answer.name;
    }
  }
}

TEST_F(TsLabels, BadFiltersAreRefusedByName) {
  EXPECT_NE(message_of([&] { store().query_index({}); }).find("filter"), std::string::npos);
  EXPECT_NE(message_of([&] { store().query_index({"metric"}); }).find("'metric'"), std::string::npos);
  EXPECT_NE(message_of([&] { store().query_index({"=cpu"}); }).find("'=cpu'"), std::string::npos);
  EXPECT_NE(message_of([&] { store().query_index({"host=(a,,b)"}); }).find("host=(a,,b)"), std::string::npos);
  EXPECT_NE(message_of([&] {
              store().mrange({"metric=cpu"}, {}, ts::GroupBy{.label = "dc", .reducer = Aggregator::twa});
            }).find("twa"),
            std::string::npos);
}

}  // namespace
}  // namespace redkit::test
