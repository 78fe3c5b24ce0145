// On-demand anomaly checks against a real server: raw and stepped baselines
// scored against references computed here, per-series verdicts over a label
// filter (anomalous, normal, flat, too short, no data), bad queries refused.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "redkit/ts_anomalies.hpp"
#include "support/error_of.hpp"
#include "support/ts_store_test.hpp"

namespace redkit::test {
namespace {

using namespace std::chrono_literals;
using ts::AnomalyVerdict;

constexpr ts::Timestamp kT0 = 1'700'000'000'000;
// On the minute grid, where compaction rules' and baselines' buckets start.
constexpr ts::Timestamp kMinuteT0 = 1'700'000'040'000;
constexpr ts::Timestamp kMinute = 60'000;

double mean_of(const std::vector<double>& values) {
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

double sample_sd_of(const std::vector<double>& values) {
  const double mean = mean_of(values);
  double squares = 0;
  for (const double v : values) squares += (v - mean) * (v - mean);
  return std::sqrt(squares / static_cast<double>(values.size() - 1));
}

class AnomalyDetectorTest : public TsStoreTest {
 protected:
  ts::AnomalyDetector detector() { return ts::AnomalyDetector(client(), {.prefix = prefix()}); }
  void create(const std::string& name, const std::string& metric) {
    store().create(name, {.retention = {}, .duplicate_policy = ts::DuplicatePolicy::last,
                          .labels = {{"metric", metric}}});
  }
  // One sample a minute from kT0, then `last` a minute after the final one.
  std::vector<double> feed(const std::string& name, const std::vector<double>& values, std::optional<double> last) {
    ts::Timestamp t = kT0;
    for (const double v : values) store().add(name, (t += kMinute), v);
    if (last) store().add(name, t + kMinute, *last);
    return values;
  }
};

TEST_F(AnomalyDetectorTest, RawBaselineScoresTheNewestSampleAsTheReferenceDoes) {
  create("cpu", "cpu");
  std::vector<double> baseline;
  for (int i = 0; i < 30; ++i) baseline.push_back(40 + (i % 5) * 1.5);
  feed("cpu", baseline, 55.0);
  const ts::Timestamp at = kT0 + 31 * kMinute;
  const auto findings = detector().check({.series = "cpu", .baseline = 1h, .sensitivity = 3, .step = 0ms, .at = at});
  ASSERT_EQ(findings.size(), 1u);
  const auto& f = findings[0];
  EXPECT_EQ(f.verdict, AnomalyVerdict::anomalous);
  EXPECT_EQ(f.value, 55.0);
  EXPECT_EQ(f.timestamp, at);
  EXPECT_EQ(f.baseline_count, 30u);
  EXPECT_NEAR(f.centre, mean_of(baseline), 1e-9);
  EXPECT_NEAR(f.spread, sample_sd_of(baseline), 1e-9);
  ASSERT_TRUE(f.score.has_value());
  EXPECT_NEAR(*f.score, (55.0 - mean_of(baseline)) / sample_sd_of(baseline), 1e-9);
  EXPECT_EQ(f.labels.at("metric"), "cpu");
  // A sensitivity above that score calls the same value normal.
  const auto lenient = detector().check(
      {.series = "cpu", .baseline = 1h, .sensitivity = *f.score + 0.01, .step = 0ms, .at = at});
  EXPECT_EQ(lenient.at(0).verdict, AnomalyVerdict::normal);
}

TEST_F(AnomalyDetectorTest, SteppedBaselineUsesBucketAggregates) {
  create("lat", "lat");
  // Six samples a minute: each minute's average is the minute's middle.
  std::vector<double> averages;
  ts::Timestamp t = kMinuteT0;
  for (int minute = 0; minute < 20; ++minute) {
    const double level = 100 + (minute % 4) * 2;
    for (int s = 0; s < 6; ++s) store().add("lat", t + s * 10'000, level + (s - 2.5));
    averages.push_back(level);
    t += kMinute;
  }
  // The scored minute: averages 140.
  for (int s = 0; s < 6; ++s) store().add("lat", t + s * 10'000, 140 + (s - 2.5));
  const ts::Timestamp at = t + kMinute - 1;
  const auto findings = detector().check(
      {.series = "lat", .baseline = 20min, .method = ts::AnomalyMethod::z, .sensitivity = 3, .step = 1min,
       .aggregator = ts::Aggregator::avg, .at = at});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].verdict, AnomalyVerdict::anomalous);
  EXPECT_DOUBLE_EQ(*findings[0].value, 140);
  EXPECT_EQ(findings[0].baseline_count, 20u);
  EXPECT_NEAR(findings[0].centre, mean_of(averages), 1e-9);
  EXPECT_NEAR(findings[0].spread, sample_sd_of(averages), 1e-9);
}

TEST_F(AnomalyDetectorTest, ABaselineOlderThanTheRawRetentionIsReadThroughACompactionRule) {
  // Raw samples are kept 30 minutes; per-minute averages a day. A day's
  // baseline at 1 min can then only come from the rule's destination.
  store().create("req", {.retention = 30min, .duplicate_policy = ts::DuplicatePolicy::last,
                         .labels = {{"metric", "req"}}});
  store().create("req:1m", {.retention = 48h, .duplicate_policy = ts::DuplicatePolicy::last, .labels = {}});
  store().create_rule("req", "req:1m", {.aggregator = ts::Aggregator::avg, .bucket = 1min});
  // Ten minutes at a time, as they would arrive: the rule sees every
  // sample while it is still within the raw retention.
  for (int from = 0; from < 24 * 60; from += 10) {
    std::vector<ts::Sample> batch;
    for (int minute = from; minute < from + 10; ++minute) {
      for (int s = 0; s < 2; ++s) {
        batch.push_back({kMinuteT0 + minute * kMinute + s * 30'000, 100.0 + (minute % 7) + s});
      }
    }
    store().add_many("req", batch);
  }
  const ts::Timestamp at = kMinuteT0 + 24 * 60 * kMinute - 1;
  ASSERT_LT(store().range("req").size(), 100u);  // the raw day is gone
  ASSERT_GT(store().range("req:1m").size(), 23u * 60u) << "the rule kept the day's minutes";
  const auto findings = detector().check(
      {.series = "req", .baseline = 23h, .sensitivity = 3, .step = 1min, .aggregator = ts::Aggregator::avg, .at = at});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].baseline_count, 23u * 60u);
  EXPECT_EQ(findings[0].verdict, AnomalyVerdict::normal);
  ASSERT_TRUE(findings[0].value.has_value());
  EXPECT_DOUBLE_EQ(*findings[0].value, 100.0 + ((24 * 60 - 1) % 7) + 0.5);
}

TEST_F(AnomalyDetectorTest, EachSeriesOfAFilterGetsItsOwnVerdict) {
  for (const std::string name : {"spiky", "steady", "flat", "flat-off", "short", "silent"}) create(name, "m");
  std::vector<double> wobble;
  for (int i = 0; i < 20; ++i) wobble.push_back(10 + (i % 3));
  feed("spiky", wobble, 30.0);
  feed("steady", wobble, 11.0);
  feed("flat", std::vector<double>(20, 5.0), 5.0);
  feed("flat-off", std::vector<double>(20, 5.0), 5.5);
  feed("short", {1, 2, 3}, 9.0);
  const auto findings = detector().check(
      {.filters = {"metric=m"}, .baseline = 1h, .step = 0ms, .min_baseline = 10, .at = kT0 + 21 * kMinute});
  std::map<std::string, ts::AnomalyFinding> by_name;
  for (const auto& f : findings) by_name[f.series] = f;
  ASSERT_EQ(by_name.size(), 6u);
  EXPECT_EQ(by_name["spiky"].verdict, AnomalyVerdict::anomalous);
  EXPECT_EQ(by_name["steady"].verdict, AnomalyVerdict::normal);
  EXPECT_EQ(by_name["flat"].verdict, AnomalyVerdict::normal);
  EXPECT_TRUE(by_name["flat"].flat);
  EXPECT_FALSE(by_name["flat"].score.has_value());
  EXPECT_EQ(by_name["flat-off"].verdict, AnomalyVerdict::anomalous);
  EXPECT_TRUE(by_name["flat-off"].flat);
  EXPECT_FALSE(by_name["flat-off"].score.has_value());
  EXPECT_EQ(by_name["short"].verdict, AnomalyVerdict::insufficient_baseline);
  EXPECT_EQ(by_name["short"].baseline_count, 3u);
  EXPECT_EQ(by_name["silent"].verdict, AnomalyVerdict::no_data);
  EXPECT_FALSE(by_name["silent"].value.has_value());
}

TEST_F(AnomalyDetectorTest, MadIgnoresASpikeInTheBaselineThatHidesTheNextOneFromZ) {
  create("io", "io");
  std::vector<double> baseline;
  for (int i = 0; i < 30; ++i) baseline.push_back(50 + (i % 2));
  baseline[10] = 500;  // one earlier spike inflates the standard deviation
  feed("io", baseline, 80.0);
  const ts::Timestamp at = kT0 + 31 * kMinute;
  const auto z = detector().check({.series = "io", .baseline = 1h, .method = ts::AnomalyMethod::z, .step = 0ms, .at = at});
  const auto mad =
      detector().check({.series = "io", .baseline = 1h, .method = ts::AnomalyMethod::mad, .step = 0ms, .at = at});
  EXPECT_EQ(z.at(0).verdict, AnomalyVerdict::normal);
  EXPECT_EQ(mad.at(0).verdict, AnomalyVerdict::anomalous);
}

TEST_F(AnomalyDetectorTest, RefusesBadQueriesByField) {
  create("cpu", "cpu");
  EXPECT_EQ(error_of<InvalidArgument>([&] { detector().check({}); }),
            "anomaly query: give a series or label filters, not both and not neither");
  EXPECT_EQ(error_of<InvalidArgument>([&] { detector().check({.series = "cpu", .filters = {"a=b"}}); }),
            "anomaly query: give a series or label filters, not both and not neither");
  EXPECT_EQ(error_of<InvalidArgument>([&] { detector().check({.series = "cpu", .baseline = 0ms}); }),
            "anomaly query: baseline 0 ms is not positive");
  EXPECT_EQ(error_of<InvalidArgument>([&] { detector().check({.series = "cpu", .sensitivity = 0}); }),
            "anomaly query: sensitivity 0 is not a positive number");
  EXPECT_EQ(error_of<InvalidArgument>([&] { detector().check({.series = "cpu", .step = -1ms}); }),
            "anomaly query: step -1 ms is negative");
  EXPECT_EQ(error_of<InvalidArgument>([&] { detector().check({.series = "cpu", .min_baseline = 1}); }),
            "anomaly query: min_baseline 1 is below 2");
  EXPECT_EQ(error_of<ts::SeriesNotFound>([&] { detector().check({.series = "nope"}); }),
            "time series 'nope' does not exist");
  EXPECT_EQ(error_of<ts::SeriesNotFound>([&] { detector().check({.series = "nope", .step = 0ms}); }),
            "time series 'nope' does not exist");
}

}  // namespace
}  // namespace redkit::test
