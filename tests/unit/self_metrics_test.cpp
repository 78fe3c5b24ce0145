// The self-metrics registry (bucketing, recording, pausing, taking unsent
// counts) and its Prometheus and JSON renderings, without a server.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "metrics/self_recording.hpp"
#include "redkit/error.hpp"
#include "redkit/self_metrics.hpp"

namespace redkit {
namespace {

using namespace std::chrono_literals;

std::uint64_t calls_of(SelfOp op) { return snapshot_self_metrics().at(op).calls; }

// A histogram over the self bounds with `counts` per bucket.
LatencyHistogram self_histogram(const std::vector<std::uint64_t>& counts, double sum_ms) {
  LatencyHistogram h;
  const auto bounds = self_latency_bounds_ms();
  h.bounds_ms.assign(bounds.begin(), bounds.end());
  h.counts = counts;
  h.counts.resize(bounds.size() + 1);
  for (auto n : h.counts) h.count += n;
  h.sum_ms = sum_ms;
  return h;
}

TEST(SelfMetricsRegistry, BoundsAreAscendingFromFineToSixtySeconds) {
  const auto bounds = self_latency_bounds_ms();
  ASSERT_EQ(bounds.size(), detail::kSelfBoundsNs.size());
  EXPECT_DOUBLE_EQ(bounds.front(), 0.025);
  EXPECT_DOUBLE_EQ(bounds.back(), 60000.0);
  for (std::size_t i = 1; i < bounds.size(); ++i) EXPECT_LT(bounds[i - 1], bounds[i]) << i;
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    EXPECT_DOUBLE_EQ(bounds[i], static_cast<double>(detail::kSelfBoundsNs[i]) / 1e6) << i;
  }
}

TEST(SelfMetricsRegistry, BucketIsTheFirstBoundAtOrAboveTheDuration) {
  EXPECT_EQ(detail::self_bucket_of(0), 0u);
  EXPECT_EQ(detail::self_bucket_of(25'000), 0u);  // le: a bound holds durations equal to it
  EXPECT_EQ(detail::self_bucket_of(25'001), 1u);
  EXPECT_EQ(detail::self_bucket_of(30'000), 1u);  // a loopback round trip
  EXPECT_EQ(detail::self_bucket_of(1'000'000), 5u);
  EXPECT_EQ(detail::self_bucket_of(60'000'000'000), detail::kSelfBoundsNs.size() - 1);
  EXPECT_EQ(detail::self_bucket_of(60'000'000'001), detail::kSelfBoundsNs.size());  // +Inf
}

TEST(SelfMetricsRegistry, RecordsCallsErrorsSumAndBucket) {
  const SelfMetrics before = snapshot_self_metrics();
  detail::self_record(SelfOp::ts_mget, 30us, true);
  detail::self_record(SelfOp::ts_mget, 2ms, false);
  detail::self_record(SelfOp::ts_mget, -5ms, true);  // a clock step backwards counts as zero
  const SelfMetrics after = snapshot_self_metrics();
  const auto& b = before.at(SelfOp::ts_mget);
  const auto& a = after.at(SelfOp::ts_mget);
  EXPECT_EQ(a.calls - b.calls, 3u);
  EXPECT_EQ(a.errors - b.errors, 1u);
  EXPECT_NEAR(a.latency.sum_ms - b.latency.sum_ms, 2.030, 1e-9);
  ASSERT_EQ(a.latency.counts.size(), detail::kSelfBuckets);
  EXPECT_EQ(a.latency.counts[0] - b.latency.counts[0], 1u);  // the zero
  EXPECT_EQ(a.latency.counts[1] - b.latency.counts[1], 1u);  // 0.03 ms
  EXPECT_EQ(a.latency.counts[6] - b.latency.counts[6], 1u);  // 2 ms <= 2.5 ms
  EXPECT_EQ(a.latency.count - b.latency.count, 3u);
  // Other operations are untouched.
  EXPECT_EQ(after.at(SelfOp::lock_renew).calls, before.at(SelfOp::lock_renew).calls);
}

TEST(SelfMetricsRegistry, TimerCountsAnExceptionOrFailAsAnError) {
  const SelfMetrics before = snapshot_self_metrics();
  { detail::SelfTimer ok(SelfOp::lock_release); }
  try {
    detail::SelfTimer thrown(SelfOp::lock_release);
    throw std::runtime_error("boom");
  } catch (const std::runtime_error&) {
  }
  {
    detail::SelfTimer failed(SelfOp::lock_release);
    failed.fail();
  }
  { detail::SelfTimer disabled(SelfOp::lock_release, false); }
  const SelfMetrics after = snapshot_self_metrics();
  EXPECT_EQ(after.at(SelfOp::lock_release).calls - before.at(SelfOp::lock_release).calls, 3u);
  EXPECT_EQ(after.at(SelfOp::lock_release).errors - before.at(SelfOp::lock_release).errors, 2u);
}

TEST(SelfMetricsRegistry, PauseSuspendsRecordingOnThisThreadAndNests) {
  const auto before = calls_of(SelfOp::ts_seal);
  {
    detail::SelfRecordingPause outer;
    {
      detail::SelfRecordingPause inner;
      detail::self_record(SelfOp::ts_seal, 1ms, true);
    }
    EXPECT_TRUE(detail::self_recording_suspended());
    detail::SelfTimer timer(SelfOp::ts_seal);
  }
  EXPECT_FALSE(detail::self_recording_suspended());
  EXPECT_EQ(calls_of(SelfOp::ts_seal), before);
  detail::self_record(SelfOp::ts_seal, 1ms, true);
  EXPECT_EQ(calls_of(SelfOp::ts_seal), before + 1);
}

TEST(SelfMetricsRegistry, UnsentCountsAreTakenOnceAndCanBeGivenBack) {
  (void)detail::take_unsent_self_counts();  // whatever earlier tests recorded
  detail::self_record(SelfOp::ts_latest, 1ms, true);
  detail::self_record(SelfOp::ts_latest, 3ms, false);
  const detail::SelfCounts first = detail::take_unsent_self_counts();
  const auto& op = first.ops[static_cast<std::size_t>(SelfOp::ts_latest)];
  EXPECT_EQ(op.calls, 2u);
  EXPECT_EQ(op.errors, 1u);
  EXPECT_EQ(op.sum_ns, 4'000'000u);
  EXPECT_TRUE(detail::take_unsent_self_counts().empty());  // a second monitor gets nothing again
  detail::return_unsent_self_counts(first);
  const detail::SelfCounts again = detail::take_unsent_self_counts();
  EXPECT_EQ(again.ops[static_cast<std::size_t>(SelfOp::ts_latest)].calls, 2u);
  EXPECT_EQ(again.ops[static_cast<std::size_t>(SelfOp::ts_latest)].buckets,
            first.ops[static_cast<std::size_t>(SelfOp::ts_latest)].buckets);
  // Giving back does not change the process totals.
  EXPECT_GE(calls_of(SelfOp::ts_latest), 2u);
}

TEST(SelfMetricsRegistry, EveryOperationHasADistinctName) {
  std::set<std::string> names;
  for (std::size_t i = 0; i < kSelfOpCount; ++i) names.insert(std::string(to_string(static_cast<SelfOp>(i))));
  EXPECT_EQ(names.size(), kSelfOpCount);
  EXPECT_EQ(to_string(SelfOp::ts_add), "ts_add");
  EXPECT_EQ(to_string(SelfOp::client_reconnect), "client_reconnect");
  EXPECT_EQ(snapshot_self_metrics().operations.size(), kSelfOpCount);
  EXPECT_THROW((void)SelfMetrics{}.at(SelfOp::ts_add), InvalidArgument);
}

TEST(SelfMetricsQuantiles, InterpolateInsideTheBucket) {
  // 10 samples in (0.025, 0.05], 10 in (0.05, 0.1].
  const LatencyHistogram h = self_histogram({0, 10, 10}, 1.0);
  EXPECT_DOUBLE_EQ(mean_ms(h), 0.05);
  EXPECT_DOUBLE_EQ(quantile_ms(h, 0.5), 0.05);     // rank 10: the top of the first full bucket
  EXPECT_DOUBLE_EQ(quantile_ms(h, 0.25), 0.0375);  // halfway through (0.025, 0.05]
  EXPECT_DOUBLE_EQ(quantile_ms(h, 1.0), 0.1);
  EXPECT_DOUBLE_EQ(quantile_ms(self_histogram({}, 0), 0.99), 0.0);
  EXPECT_DOUBLE_EQ(mean_ms(self_histogram({}, 0)), 0.0);
  std::vector<std::uint64_t> in_inf(detail::kSelfBuckets, 0);
  in_inf.back() = 1;
  EXPECT_DOUBLE_EQ(quantile_ms(self_histogram(in_inf, 70000), 0.99), 60000.0);
}

SelfMetrics sample_metrics() {
  SelfMetrics m = detail::to_self_metrics(detail::SelfCounts{});
  auto& add = m.operations[static_cast<std::size_t>(SelfOp::ts_add)];
  add.calls = 3;
  add.errors = 1;
  add.latency = self_histogram({1, 2}, 0.1);
  return m;
}

TEST(SelfMetricsExposition, PrometheusHasCountersForEveryOperationAndHistogramsForCalledOnes) {
  const std::string text = to_prometheus(sample_metrics());
  auto has = [&](const std::string& line) { return text.find(line + "\n") != std::string::npos; };
  EXPECT_TRUE(has("# TYPE redkit_operation_calls_total counter")) << text;
  EXPECT_TRUE(has("redkit_operation_calls_total{op=\"ts_add\"} 3")) << text;
  EXPECT_TRUE(has("redkit_operation_calls_total{op=\"lock_wait\"} 0")) << text;
  EXPECT_TRUE(has("redkit_operation_errors_total{op=\"ts_add\"} 1")) << text;
  EXPECT_TRUE(has("# TYPE redkit_operation_seconds histogram")) << text;
  EXPECT_TRUE(has("redkit_operation_seconds_bucket{op=\"ts_add\",le=\"2.5e-05\"} 1")) << text;
  EXPECT_TRUE(has("redkit_operation_seconds_bucket{op=\"ts_add\",le=\"5e-05\"} 3")) << text;  // cumulative
  EXPECT_TRUE(has("redkit_operation_seconds_bucket{op=\"ts_add\",le=\"60\"} 3")) << text;
  EXPECT_TRUE(has("redkit_operation_seconds_bucket{op=\"ts_add\",le=\"+Inf\"} 3")) << text;
  EXPECT_TRUE(has("redkit_operation_seconds_sum{op=\"ts_add\"} 0.0001")) << text;
  EXPECT_TRUE(has("redkit_operation_seconds_count{op=\"ts_add\"} 3")) << text;
  EXPECT_EQ(text.find("redkit_operation_seconds_bucket{op=\"lock_wait\""), std::string::npos) << text;
  // One HELP and one TYPE per family.
  std::size_t types = 0;
  for (std::size_t at = text.find("# TYPE"); at != std::string::npos; at = text.find("# TYPE", at + 1)) ++types;
  EXPECT_EQ(types, 3u);
}

TEST(SelfMetricsExposition, JsonHasEveryOperationWithIntegerCounts) {
  const nlohmann::json json = nlohmann::json::parse(to_json(sample_metrics()));
  ASSERT_EQ(json["bounds_ms"].size(), detail::kSelfBoundsNs.size());
  EXPECT_DOUBLE_EQ(json["bounds_ms"][0].get<double>(), 0.025);
  ASSERT_EQ(json["operations"].size(), kSelfOpCount);
  const auto& add = json["operations"]["ts_add"];
  EXPECT_TRUE(add["calls"].is_number_integer());
  EXPECT_EQ(add["calls"].get<int>(), 3);
  EXPECT_EQ(add["errors"].get<int>(), 1);
  EXPECT_DOUBLE_EQ(add["sum_ms"].get<double>(), 0.1);
  EXPECT_NEAR(add["mean_ms"].get<double>(), 0.1 / 3, 1e-12);
  EXPECT_DOUBLE_EQ(add["p99_ms"].get<double>(), quantile_ms(sample_metrics().at(SelfOp::ts_add).latency, 0.99));
  ASSERT_EQ(add["buckets"].size(), detail::kSelfBuckets);
  EXPECT_EQ(add["buckets"][1].get<int>(), 2);
  EXPECT_EQ(json["operations"]["client_round_trip"]["calls"].get<int>(), 0);
}

}  // namespace
}  // namespace redkit
