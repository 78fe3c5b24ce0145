// Bad input to every time-series entry point: each is refused with the exact
// exception type and a message naming the bad value, and the database is
// left exactly as it was (whole-database snapshot before and after).
// tests/BAD_INPUT.md lists what each test covers.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "redkit/client.hpp"
#include "redkit/error.hpp"
#include "redkit/time_series.hpp"
#include "support/db_snapshot.hpp"
#include "support/error_of.hpp"
#include "support/ts_store_test.hpp"

namespace redkit {
namespace {

using namespace std::chrono_literals;
using test::error_of;
using ts::Aggregation;
using ts::Aggregator;
using ts::NamedSample;
using ts::RangeOptions;
using ts::RetentionPreset;
using ts::Sample;
using ts::SampleRejected;
using ts::SeriesNotFound;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
const std::string kLongSeriesName(600, 's');
const std::string kLongSeriesMessage = "series name '" + std::string(32, 's') + "...' is 600 bytes, over the limit of 512";
const std::string kBraceMessage = "series name 'a{b' holds '{', which is not allowed in a name";

Aggregation per_minute(Aggregator aggregator = Aggregator::avg) {
  return Aggregation{.aggregator = aggregator, .bucket = 1min, .align = 0, .empty_buckets = false};
}

// Every test starts from a database holding a series with samples, labels
// and a compaction rule, its destination, and a string key sitting where
// the series "wrong" would keep its metadata.
class BadInputTsTest : public test::TsStoreTest {
 protected:
  void SetUp() override {
    test::TsStoreTest::SetUp();
    store().create("cpu", {.retention = 1h, .duplicate_policy = ts::DuplicatePolicy::block, .labels = {{"host", "a"}}});
    store().create("cpu:1m", {.retention = 0ms, .duplicate_policy = {}, .labels = {{"host", "a"}, {"step", "1m"}}});
    store().create_rule("cpu", "cpu:1m", per_minute());
    store().add_many("cpu", std::vector<Sample>{{10'000'000, 1}, {10'030'000, 2}, {10'090'000, 3}});
    client().command({"SET", wrong_key(), "not a series"});
    before_ = test::snapshot_db(client());
  }
  void TearDown() override {
    EXPECT_EQ(test::changes_since(before_, test::snapshot_db(client())), "");
    test::TsStoreTest::TearDown();
  }
  std::string wrong_key() const { return prefix() + "ts:{wrong}"; }

  test::DbSnapshot before_;
};

TEST_F(BadInputTsTest, StoreRefusesEmptyPrefixAndBadDefaults) {
  EXPECT_EQ(error_of<InvalidArgument>([&] { ts::Store s(client(), {.prefix = "", .default_series = {}}); }),
            "key prefix is empty");
  EXPECT_EQ(error_of<InvalidArgument>([&] {
              ts::Store s(client(), {.prefix = prefix(), .default_series = {.retention = -1ms}});
            }),
            "retention -1 ms is negative");
  EXPECT_EQ(error_of<InvalidArgument>([&] {
              ts::Store s(client(), {.prefix = prefix(), .default_series = {.labels = {{"host", ""}}}});
            }),
            "value '' of label 'host' must be non-empty without ',', '=', '(', ')' or spaces");
}

TEST_F(BadInputTsTest, CreateRefusesBadNamesOptionsAndExistingSeries) {
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().create(""); }), "series name is empty");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().create(kLongSeriesName); }), kLongSeriesMessage);
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().create("a{b"); }), kBraceMessage);
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().create("a}b"); }),
            "series name 'a}b' holds '}', which is not allowed in a name");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().create("tab\there"); }),
            "series name 'tab\there' holds '\\x09', which is not allowed in a name");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().create("x", {.retention = -1ms}); }),
            "retention -1 ms is negative");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().create("x", {.labels = {{"ho st", "a"}}}); }),
            "label name 'ho st' must be non-empty without ',', '=', '(', ')' or spaces");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().create("x", {.labels = {{"host", "a,b"}}}); }),
            "value 'a,b' of label 'host' must be non-empty without ',', '=', '(', ')' or spaces");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().create("x", {.labels = {{"", "a"}}}); }),
            "label name '' must be non-empty without ',', '=', '(', ')' or spaces");
  EXPECT_EQ(error_of<Error>([&] { store().create("cpu", {.retention = 5s}); }), "time series 'cpu' already exists");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().create_if_missing("", {}); }), "series name is empty");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().create_if_missing("x", {.labels = {{"k", "v=w"}}}); }),
            "value 'v=w' of label 'k' must be non-empty without ',', '=', '(', ')' or spaces");
}

TEST_F(BadInputTsTest, AlterRefusesBadChangesAndMissingSeries) {
  EXPECT_EQ(error_of<SeriesNotFound>([&] { store().alter("nope", {.retention = 1s}); }),
            "time series 'nope' does not exist");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().alter("cpu", {.retention = -5ms}); }),
            "retention -5 ms is negative");
  EXPECT_EQ(error_of<InvalidArgument>([&] {
              store().alter("cpu", {.retention = 1s, .duplicate_policy = {}, .labels = ts::Labels{{"host", "(a)"}}});
            }),
            "value '(a)' of label 'host' must be non-empty without ',', '=', '(', ')' or spaces");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().alter("a{b", {}); }), kBraceMessage);
}

TEST_F(BadInputTsTest, RemoveExistsAndInfoRefuseBadNames) {
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().remove(""); }), "series name is empty");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().remove(kLongSeriesName); }), kLongSeriesMessage);
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().exists("a{b"); }), kBraceMessage);
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().info(""); }), "series name is empty");
  EXPECT_EQ(error_of<SeriesNotFound>([&] { store().info("nope"); }), "time series 'nope' does not exist");
  EXPECT_FALSE(store().remove("nope"));
}

TEST_F(BadInputTsTest, AddRefusesNonFiniteValuesTimestampsOutOfRangeAndBadNames) {
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().add("cpu", 1, kNaN); }),
            "value nan at timestamp 1 is not a finite number");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().add("cpu", 2, kInf); }),
            "value inf at timestamp 2 is not a finite number");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().add("new", 3, -kInf); }),
            "value -inf at timestamp 3 is not a finite number");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().add("cpu", ts::kMaxTimestamp + 1, 1); }),
            "timestamp 9007199254740992 is out of range [-9007199254740991, 9007199254740991]");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().add("cpu", ts::kEarliest, 1); }),
            "timestamp -9223372036854775808 is out of range [-9007199254740991, 9007199254740991]");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().add("", 1, 1); }), "series name is empty");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().add("a{b", 1, 1); }), kBraceMessage);
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().add_now("cpu", kNaN); }).substr(0, 13), "value nan at ");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().add_now("", 1); }), "series name is empty");
}

TEST_F(BadInputTsTest, AddRefusesDuplicatesAndSamplesOlderThanRetention) {
  EXPECT_EQ(error_of<SampleRejected>([&] { store().add("cpu", 10'030'000, 9); }),
            "time series 'cpu' already has a sample at timestamp 10030000 and its duplicate policy is block");
  EXPECT_EQ(error_of<SampleRejected>([&] { store().add("cpu", 1'000, 9); }),
            "timestamp 1000 is older than the retention of time series 'cpu' keeps");
}

TEST_F(BadInputTsTest, AddManyStoresNothingWhenOneSampleIsBad) {
  EXPECT_EQ(error_of<InvalidArgument>([&] {
              store().add_many("cpu", std::vector<Sample>{{10'100'000, 1}, {10'110'000, kNaN}, {10'120'000, 2}});
            }),
            "value nan at timestamp 10110000 is not a finite number");
  EXPECT_EQ(error_of<InvalidArgument>([&] {
              store().add_many("fresh", std::vector<Sample>{{1, 1}, {ts::kMinTimestamp - 1, 2}});
            }),
            "timestamp -9007199254740992 is out of range [-9007199254740991, 9007199254740991]");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().add_many("", std::vector<Sample>{{1, 1}}); }),
            "series name is empty");
  EXPECT_EQ(error_of<InvalidArgument>([&] {
              store().add_many(std::vector<NamedSample>{{"cpu", 10'100'000, 1}, {"fresh", 5, 1}, {"x}", 6, 1}});
            }),
            "series name 'x}' holds '}', which is not allowed in a name");
  EXPECT_EQ(error_of<InvalidArgument>([&] {
              store().add_many(std::vector<NamedSample>{{"cpu", 10'100'000, 1}, {"fresh", 5, kInf}});
            }),
            "value inf at timestamp 5 is not a finite number");
}

TEST_F(BadInputTsTest, QueriesRefuseMissingSeriesAndBadRanges) {
  EXPECT_EQ(error_of<SeriesNotFound>([&] { store().range("nope"); }), "time series 'nope' does not exist");
  EXPECT_EQ(error_of<SeriesNotFound>([&] { store().reverse_range("nope"); }), "time series 'nope' does not exist");
  EXPECT_EQ(error_of<SeriesNotFound>([&] { store().latest("nope"); }), "time series 'nope' does not exist");
  EXPECT_EQ(error_of<SeriesNotFound>([&] { store().stats("nope"); }), "time series 'nope' does not exist");
  // Bounds past the largest timestamp leave nothing to count: still reported.
  EXPECT_EQ(error_of<SeriesNotFound>([&] { store().stats("nope", ts::kMaxTimestamp + 1, ts::kLatest); }),
            "time series 'nope' does not exist");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().range("cpu", {.from = 5, .to = 1}); }),
            "range start 5 is after its end 1");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().reverse_range("cpu", {.from = 9, .to = -9}); }),
            "range start 9 is after its end -9");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().stats("cpu", 7, 6); }), "range start 7 is after its end 6");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().range("cpu", {.min_value = 3.0, .max_value = 1.0}); }),
            "value filter minimum 3 is above its maximum 1");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().range("cpu", {.min_value = kNaN}); }),
            "value filter minimum nan is not a number");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().range("cpu", {.max_value = kNaN}); }),
            "value filter maximum nan is not a number");
  EXPECT_EQ(error_of<InvalidArgument>([&] {
              store().range("cpu", {.aggregation = Aggregation{.aggregator = Aggregator::sum, .bucket = 0ms}});
            }),
            "aggregation bucket 0 ms must be positive");
  EXPECT_EQ(error_of<InvalidArgument>([&] {
              store().reverse_range("cpu", {.aggregation = Aggregation{.aggregator = Aggregator::sum, .bucket = -1s}});
            }),
            "aggregation bucket -1000 ms must be positive");
  EXPECT_EQ(error_of<InvalidArgument>([&] {
              store().range("cpu", {.aggregation = Aggregation{.aggregator = Aggregator::sum,
                                                               .bucket = 1min,
                                                               .align = ts::kLatest}});
            }),
            "aggregation align 9223372036854775807 is out of range [-9007199254740991, 9007199254740991]");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().range("", {}); }), "series name is empty");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().latest("a{b"); }), kBraceMessage);
}

TEST_F(BadInputTsTest, DeleteRangeRefusesBadRangesAndMissingSeries) {
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().delete_range("cpu", 10, 1); }),
            "range start 10 is after its end 1");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().delete_range("", 1, 10); }), "series name is empty");
  EXPECT_EQ(error_of<SeriesNotFound>([&] { store().delete_range("nope", 1, 10); }),
            "time series 'nope' does not exist");
}

TEST_F(BadInputTsTest, CreateRuleRefusesBadRulesAndMissingSeries) {
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().create_rule("cpu", "cpu", per_minute()); }),
            "compaction rule from 'cpu' to itself");
  EXPECT_EQ(error_of<InvalidArgument>([&] {
              store().create_rule("cpu", "cpu:5m", {.aggregator = Aggregator::avg, .bucket = 0ms});
            }),
            "aggregation bucket 0 ms must be positive");
  EXPECT_EQ(error_of<InvalidArgument>([&] {
              store().create_rule("cpu", "cpu:5m", {.aggregator = Aggregator::avg, .bucket = 5min,
                                                    .align = ts::kMaxTimestamp + 1});
            }),
            "aggregation align 9007199254740992 is out of range [-9007199254740991, 9007199254740991]");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().create_rule("", "cpu:1m", per_minute()); }),
            "series name is empty");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().create_rule("cpu", "a{b", per_minute()); }), kBraceMessage);
  EXPECT_EQ(error_of<SeriesNotFound>([&] { store().create_rule("nope", "cpu:1m", per_minute()); }),
            "time series 'nope' does not exist");
  EXPECT_EQ(error_of<SeriesNotFound>([&] { store().create_rule("cpu", "nope", per_minute()); }),
            "time series 'nope' does not exist");
  EXPECT_EQ(error_of<Error>([&] { store().create_rule("cpu", "cpu:1m", per_minute(Aggregator::max)); }),
            "compaction rule cpu -> cpu:1m: the rule exists");
  EXPECT_EQ(error_of<Error>([&] { store().create_rule("cpu:1m", "cpu", per_minute()); }),
            "compaction rule cpu:1m -> cpu: it would close a cycle: cpu is upstream of cpu:1m");
}

TEST_F(BadInputTsTest, RuleQueriesRefuseBadNamesAndMissingSeries) {
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().delete_rule("", "cpu:1m"); }), "series name is empty");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().delete_rule("cpu", kLongSeriesName); }), kLongSeriesMessage);
  EXPECT_FALSE(store().delete_rule("cpu", "nope"));
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().rules("a{b"); }), kBraceMessage);
  EXPECT_EQ(error_of<SeriesNotFound>([&] { store().rules("nope"); }), "time series 'nope' does not exist");
}

TEST_F(BadInputTsTest, RetentionPresetRefusesNamesItCannotExtendAndChangesNothing) {
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().apply_retention_preset(""); }), "series name is empty");
  // The name fits, NAME:1m does not: refused before the source is touched.
  const std::string long_name(510, 'p');
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().apply_retention_preset(long_name); }),
            "series name '" + std::string(32, 'p') + "...' is 513 bytes, over the limit of 512");
  // other:1m is already fed by cpu: refused before "other" or "other:1m"
  // get the preset's retentions.
  store().create("other", {.retention = 2h});
  store().create("other:1m", {.retention = 3h});
  store().create_rule("cpu", "other:1m", per_minute());
  before_ = test::snapshot_db(client());
  EXPECT_EQ(error_of<Error>([&] { store().apply_retention_preset("other"); }),
            "compaction rule other -> other:1m: the destination already has a source, cpu");
  // avg does not compose: a chained preset of it is refused before anything
  // changes, and so is a percentile outside [0, 1].
  EXPECT_EQ(error_of<InvalidArgument>([&] {
              store().apply_retention_preset("fresh", RetentionPreset{.aggregator = Aggregator::avg, .chained = true});
            }),
            "retention preset of fresh: avg cannot feed one level from the one below (its aggregate of aggregates is "
            "not the aggregate of the samples); chain sum, min, max, first, last or a percentile, or feed every level "
            "from the series");
  EXPECT_EQ(error_of<InvalidArgument>([&] {
              store().apply_retention_preset("fresh",
                                             RetentionPreset{.aggregator = Aggregator::percentile, .quantile = 1.5});
            }),
            "percentile quantile 1.5 is not in [0, 1]");
  // loop:1m feeds loop: the preset's rule loop -> loop:1m would close a
  // cycle, refused before anything changes.
  store().create("loop");
  store().create("loop:1m");
  store().create_rule("loop:1m", "loop", per_minute());
  before_ = test::snapshot_db(client());
  EXPECT_EQ(error_of<Error>([&] { store().apply_retention_preset("loop"); }),
            "compaction rule loop -> loop:1m: it would close a cycle: loop:1m is upstream of loop");
}

TEST_F(BadInputTsTest, LabelQueriesRefuseMalformedFilters) {
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().query_index({}); }),
            "a multi-series query needs at least one label filter");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().query_index({"host=a", "metric"}); }),
            "label filter 'metric' is not label=value, label!=value, label=(a,b) or label=");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().mget({"=cpu"}); }),
            "label filter '=cpu' is not label=value, label!=value, label=(a,b) or label=");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().mget({"!=cpu"}); }),
            "label filter '!=cpu' is not label=value, label!=value, label=(a,b) or label=");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().mget({"host=a"}, ts::LabelSelection::only({})); }),
            "the label selection names no label (select none to read no labels)");
  EXPECT_EQ(error_of<InvalidArgument>(
                [&] { store().mrange({"host=a"}, {}, std::nullopt, ts::LabelSelection::only({"dc", ""})); }),
            "a selected label name is empty");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().mrange({"host=(a"}); }),
            "label filter 'host=(a': a value list is written (a,b,...)");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().mrange({"host=(a,,b)"}); }),
            "label filter 'host=(a,,b)' has an empty value in its list");
  EXPECT_EQ(error_of<InvalidArgument>([&] { store().mrange({"host=a"}, {.from = 3, .to = 2}); }),
            "range start 3 is after its end 2");
  EXPECT_EQ(error_of<InvalidArgument>([&] {
              store().mrange({"host=a"}, {}, ts::GroupBy{.label = "", .reducer = Aggregator::sum});
            }),
            "group-by label is empty");
  EXPECT_EQ(error_of<InvalidArgument>([&] {
              store().mrange({"host=a"}, {}, ts::GroupBy{.label = "host", .reducer = Aggregator::twa});
            }),
            "'twa' cannot reduce a group (use avg, sum, min, max, range, count, std.p, std.s, var.p or var.s)");
}

TEST_F(BadInputTsTest, ParsersNameTheUnknownText) {
  EXPECT_EQ(error_of<InvalidArgument>([] { ts::parse_aggregator("median"); }),
            "unknown aggregation 'median' (expected one of: avg, sum, min, max, range, count, first, last, std.p, "
            "std.s, var.p, var.s, twa, increase, rate, percentile)");
  ts::Aggregation named;
  EXPECT_EQ(error_of<InvalidArgument>([&] { ts::parse_aggregator_name("p99x", named); }),
            "percentile 'p99x' is not 'p' and a percent in [0, 100] (p50, p99, p99.9)");
  EXPECT_EQ(error_of<InvalidArgument>([] { ts::parse_aggregator(""); }).substr(0, 23), "unknown aggregation '' ");
  EXPECT_EQ(error_of<InvalidArgument>([] { ts::parse_duplicate_policy("newest"); }),
            "unknown duplicate policy 'newest' (expected one of: block, first, last, min, max, sum)");
}

TEST_F(BadInputTsTest, KeyOfAnotherTypeAtTheSeriesKeyIsRefusedNamingSeriesAndKey) {
  const std::string expected = "WRONGTYPE time series 'wrong': key '" + wrong_key() +
                               "' holds a value of another type, not a time series";
  EXPECT_EQ(error_of<ReplyError>([&] { store().add("wrong", 1, 1); }), expected);
  EXPECT_EQ(error_of<ReplyError>([&] { store().add_many("wrong", std::vector<Sample>{{1, 1}, {2, 2}}); }), expected);
  EXPECT_EQ(error_of<ReplyError>([&] { store().create("wrong"); }), expected);
  EXPECT_EQ(error_of<ReplyError>([&] { store().info("wrong"); }), expected);
  EXPECT_EQ(error_of<ReplyError>([&] { store().range("wrong"); }), expected);
  EXPECT_EQ(error_of<ReplyError>([&] { store().alter("wrong", {.retention = 1s}); }), expected);
  EXPECT_EQ(error_of<ReplyError>([&] { store().remove("wrong"); }), expected);
  EXPECT_EQ(error_of<ReplyError>([&] { store().latest("wrong"); }), expected);
  EXPECT_EQ(error_of<ReplyError>([&] { store().stats("wrong"); }), expected);
  EXPECT_FALSE(store().exists("wrong"));
}

}  // namespace
}  // namespace redkit
