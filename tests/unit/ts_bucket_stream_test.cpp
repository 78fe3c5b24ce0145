// Aggregating piece by piece while a range is decoded must give exactly what
// aggregating the whole materialised range gives: the same buckets, the same
// bits, whatever the pieces' boundaries (mid-bucket, one sample, empty).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <span>
#include <vector>

#include "ts/aggregation.hpp"
#include "ts/bucket_stream.hpp"

namespace redkit::ts::detail {
namespace {

// Irregular timestamps (gaps of several buckets, runs inside one bucket) and
// values with fractions, negatives and repeats.
std::vector<Sample> irregular_samples(std::uint32_t seed, std::size_t count) {
  std::mt19937 random(seed);
  std::vector<Sample> samples;
  Timestamp t = -5'000 + static_cast<Timestamp>(random() % 1'000);
  for (std::size_t i = 0; i < count; ++i) {
    t += random() % 10 == 0 ? 1 + static_cast<Timestamp>(random() % 3'000) : 1 + static_cast<Timestamp>(random() % 40);
    const double value = random() % 7 == 0 ? 2.5 : (static_cast<double>(random() % 20'001) - 10'000) / 100.0;
    samples.push_back(Sample{t, value});
  }
  return samples;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

std::vector<Sample> streamed(std::span<const Sample> samples, const Aggregation& aggregation, std::uint32_t seed) {
  std::mt19937 random(seed);
  BucketStream stream(aggregation);
  std::size_t at = 0;
  while (at < samples.size()) {
    // Pieces of 0 to 60 samples: empty pieces and cuts anywhere in a bucket.
    const std::size_t length = std::min<std::size_t>(random() % 61, samples.size() - at);
    stream.add(samples.subspan(at, length));
    at += length;
  }
  return std::move(stream).finish();
}

TEST(TsBucketStream, EqualsWholeRangeAggregationBitForBit) {
  const Aggregator aggregators[] = {Aggregator::avg,   Aggregator::sum,   Aggregator::min,   Aggregator::max,
                                    Aggregator::range, Aggregator::count, Aggregator::first, Aggregator::last,
                                    Aggregator::std_p, Aggregator::std_s, Aggregator::var_p, Aggregator::var_s};
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    const std::vector<Sample> samples = irregular_samples(seed, 2'000);
    for (const Aggregator aggregator : aggregators) {
      for (const bool empty_buckets : {false, true}) {
        const Aggregation aggregation{.aggregator = aggregator,
                                      .bucket = std::chrono::milliseconds(100 + seed * 37),
                                      .align = static_cast<Timestamp>(seed * 13),
                                      .empty_buckets = empty_buckets};
        ASSERT_TRUE(BucketStream::handles(aggregator));
        const std::vector<Sample> want =
            aggregate(samples, aggregation, samples.front().timestamp, samples.back().timestamp);
        const std::vector<Sample> got = streamed(samples, aggregation, seed);
        ASSERT_EQ(got.size(), want.size()) << to_string(aggregator) << " seed " << seed;
        for (std::size_t i = 0; i < want.size(); ++i) {
          ASSERT_EQ(got[i].timestamp, want[i].timestamp) << to_string(aggregator) << " seed " << seed << " bucket " << i;
          ASSERT_TRUE(same_bits(got[i].value, want[i].value) || (std::isnan(got[i].value) && std::isnan(want[i].value)))
              << to_string(aggregator) << " seed " << seed << " bucket " << i << ": " << got[i].value << " vs "
              << want[i].value;
        }
      }
    }
  }
}

TEST(TsBucketStream, NoSamplesNoBucketsAndTwaIsLeftToTheWholeRangePath) {
  BucketStream stream(Aggregation{.aggregator = Aggregator::avg, .bucket = std::chrono::milliseconds(10)});
  stream.add({});
  EXPECT_TRUE(std::move(stream).finish().empty());
  EXPECT_FALSE(BucketStream::handles(Aggregator::twa));
}

}  // namespace
}  // namespace redkit::ts::detail
