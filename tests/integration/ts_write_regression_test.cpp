// One test per write-path defect found by outside checks (a differential run
// against RedisTimeSeries and a model-based run of the API). Each failed on
// the code before its fix; the model-based test (ts_model_test.cpp) covers
// the same ground at random.
#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "support/ts_store_test.hpp"

namespace redkit::test {
namespace {

using namespace std::chrono_literals;
using ts::Sample;
using ts::Timestamp;

class TsWriteRegression : public TsStoreTest {};

// Was a stack overflow: ts_add answered "belongs in a sealed chunk", no chunk
// existed, and the head path was tried again without end.
TEST_F(TsWriteRegression, OlderSampleWithoutSealedChunksIsStored) {
  store().add("s", 5000, 1);
  store().add("s", 1000, 2);
  EXPECT_EQ(store().range("s"), (std::vector<Sample>{{1000, 2}, {5000, 1}}));
  EXPECT_EQ(store().info("s").first_timestamp, 1000);

  store().add_many("m", std::vector<Sample>{{5000, 1}});
  store().add_many("m", std::vector<Sample>{{3000, 3}, {1000, 2}});
  store().add_many(std::vector<ts::NamedSample>{{"n", 5000, 1}});
  store().add_many(std::vector<ts::NamedSample>{{"n", 1000, 2}});
  EXPECT_EQ(store().range("m"), (std::vector<Sample>{{1000, 2}, {3000, 3}, {5000, 1}}));
  EXPECT_EQ(store().range("n"), (std::vector<Sample>{{1000, 2}, {5000, 1}}));

  // Older than every sealed chunk: it goes into the oldest chunk.
  store().add_many("sealed", gauge_samples(2000, 10'000, 10, 7));
  ASSERT_GT(store().info("sealed").chunks, 0u);
  store().add("sealed", 5, 0.5);
  EXPECT_EQ(store().range("sealed", {.count = 1}), (std::vector<Sample>{{5, 0.5}}));
  EXPECT_EQ(store().info("sealed").samples, 2001u);
}

// info reported every stored sample while reads dropped those retention had
// dropped.
TEST_F(TsWriteRegression, InfoAndStatsCountWhatReadsReturnUnderRetention) {
  store().create("r", {.retention = 60s});
  for (int i = 1; i <= 300; ++i) {
    store().add("r", i * 1000, i);
  }
  const auto kept = store().range("r");
  ASSERT_EQ(kept.size(), 61u);
  EXPECT_EQ(kept.front().timestamp, 240'000);
  const ts::SeriesInfo info = store().info("r");
  EXPECT_EQ(info.samples, 61u);
  EXPECT_EQ(info.first_timestamp, 240'000);
  EXPECT_EQ(info.last_timestamp, 300'000);
  EXPECT_EQ(store().stats("r").count, 61u);

  // Sealed chunks: wholly expired ones are deleted, the one straddling the
  // line is counted by its kept samples.
  store().create("big", {.retention = 10'000ms});
  store().add_many("big", gauge_samples(20'000, 0, 10, 3));
  const auto big = store().range("big");
  ASSERT_EQ(big.size(), 1001u);
  const ts::SeriesInfo big_info = store().info("big");
  EXPECT_EQ(big_info.samples, 1001u);
  EXPECT_EQ(big_info.first_timestamp, big.front().timestamp);
  EXPECT_EQ(store().stats("big").count, 1001u);
  EXPECT_LE(big_info.chunks, 3u);

  // A shorter retention frees whole chunks at once.
  store().create("shrunk");
  store().add_many("shrunk", gauge_samples(20'000, 0, 10, 4));
  const auto before = store().info("shrunk");
  store().alter("shrunk", {.retention = 1000ms});
  const auto after = store().info("shrunk");
  EXPECT_EQ(after.samples, 101u);
  EXPECT_LT(after.chunks, before.chunks);
  EXPECT_LT(after.memory_bytes, before.memory_bytes);
}

// Raising the retention, or deleting the newest sample, brought dropped
// samples back.
TEST_F(TsWriteRegression, DroppedSamplesNeverComeBack) {
  store().create("r", {.retention = 10ms});
  store().add("r", 0, 1);
  store().add("r", 100, 2);
  EXPECT_EQ(store().range("r"), (std::vector<Sample>{{100, 2}}));
  store().alter("r", {.retention = 0ms});
  EXPECT_EQ(store().range("r"), (std::vector<Sample>{{100, 2}}));
  store().alter("r", {.retention = 1000ms});
  EXPECT_EQ(store().range("r"), (std::vector<Sample>{{100, 2}}));
  EXPECT_EQ(store().info("r").samples, 1u);
  EXPECT_EQ(store().delete_range("r", 100, 100), 1u);
  EXPECT_EQ(store().range("r"), (std::vector<Sample>{}));
  EXPECT_EQ(store().info("r").samples, 0u);
  EXPECT_EQ(store().stats("r").count, 0u);
  // What was dropped stays refused.
  EXPECT_THROW(store().add("r", 50, 3), ts::SampleRejected);
  store().add("r", 95, 4);
  EXPECT_EQ(store().range("r"), (std::vector<Sample>{{95, 4}}));
}

// One refused series threw before the pipelined series were sent.
TEST_F(TsWriteRegression, AddManyAcrossSeriesStoresTheOthersWhenOneIsRefused) {
  const std::vector<ts::NamedSample> samples{{"b1", 1, 1}, {"b1", 1, 2}, {"b2", 5, 7}};
  EXPECT_THROW(store().add_many(samples), ts::SampleRejected);
  EXPECT_EQ(store().range("b1"), (std::vector<Sample>{{1, 1}}));
  EXPECT_EQ(store().range("b2"), (std::vector<Sample>{{5, 7}}));
}

// Retention was judged against the newest sample of the whole call.
TEST_F(TsWriteRegression, AddManyJudgesRetentionByWhatTheSeriesKeptBeforeTheCall) {
  store().create("c", {.retention = 10ms, .duplicate_policy = ts::DuplicatePolicy::last});
  EXPECT_NO_THROW(store().add_many("c", std::vector<Sample>{{0, 1}, {0, 2}, {100, 4}}));
  EXPECT_EQ(store().range("c"), (std::vector<Sample>{{100, 4}}));
  // Older than what the series kept before the call: refused, the rest stored.
  EXPECT_THROW(store().add_many("c", std::vector<Sample>{{50, 1}, {200, 5}}), ts::SampleRejected);
  EXPECT_EQ(store().range("c"), (std::vector<Sample>{{200, 5}}));

  // An older sample placed into a sealed chunk in the same call as a newer
  // one that pushes it out of retention.
  store().create("sealed", {.retention = 5000ms, .duplicate_policy = ts::DuplicatePolicy::last});
  store().add_many("sealed", gauge_samples(2000, 0, 1, 5));  // 0..1999, sealed
  ASSERT_GT(store().info("sealed").chunks, 0u);
  EXPECT_NO_THROW(store().add_many("sealed", std::vector<Sample>{{10, 9.5}, {10'000, 1}}));
  EXPECT_EQ(store().range("sealed"), (std::vector<Sample>{{10'000, 1}}));
  EXPECT_EQ(store().info("sealed").samples, 1u);
}

// The destination's retention made the source's add throw and skipped the
// remaining rule updates.
TEST_F(TsWriteRegression, DestinationRetentionNeverFailsTheSourceAdd) {
  store().create("src");
  store().create("dst", {.retention = 100ms});
  store().create("other");
  store().create_rule("src", "dst", {.aggregator = ts::Aggregator::sum, .bucket = 10ms});
  store().create_rule("src", "other", {.aggregator = ts::Aggregator::sum, .bucket = 10ms});
  store().add("dst", 1000, 42);
  store().add("src", 5, 1);
  EXPECT_NO_THROW(store().add("src", 15, 2));
  EXPECT_EQ(store().range("src"), (std::vector<Sample>{{5, 1}, {15, 2}}));
  EXPECT_EQ(store().range("dst"), (std::vector<Sample>{{1000, 42}}));
  EXPECT_EQ(store().range("other"), (std::vector<Sample>{{0, 1}}));
}

TEST_F(TsWriteRegression, CountZeroAsksForNothingInEitherDirection) {
  store().add_many("z", std::vector<Sample>{{1, 1}, {2, 2}});
  EXPECT_EQ(store().range("z", {.count = 0}), (std::vector<Sample>{}));
  EXPECT_EQ(store().reverse_range("z", {.count = 0}), (std::vector<Sample>{}));
  EXPECT_THROW(store().reverse_range("missing", {.count = 0}), ts::SeriesNotFound);
}

}  // namespace
}  // namespace redkit::test
