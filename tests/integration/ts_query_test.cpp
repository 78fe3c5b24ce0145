// Range queries and aggregations on random data, compared with a naive
// computation over the raw samples written here independently of the store.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>

#include "support/ts_store_test.hpp"

namespace redkit::test {
namespace {

using ts::Aggregator;
using ts::Sample;
using ts::Timestamp;

class TsQuery : public TsStoreTest {};

Timestamp floor_to_bucket(Timestamp t, Timestamp width, Timestamp align) {
  Timestamp start = align + ((t - align) / width) * width;
  if (start > t) start -= width;
  return start;
}

double naive(Aggregator aggregator, const std::vector<Sample>& bucket) {
  std::vector<double> v;
  for (const Sample& s : bucket) v.push_back(s.value);
  const double n = static_cast<double>(v.size());
  double sum = 0;
  for (double x : v) sum += x;
  const double mean = sum / n;
  double squares = 0;
  for (double x : v) squares += (x - mean) * (x - mean);
  switch (aggregator) {
    case Aggregator::avg: return mean;
    case Aggregator::sum: return sum;
    case Aggregator::min: return *std::min_element(v.begin(), v.end());
    case Aggregator::max: return *std::max_element(v.begin(), v.end());
    case Aggregator::range: return *std::max_element(v.begin(), v.end()) - *std::min_element(v.begin(), v.end());
    case Aggregator::count: return n;
    case Aggregator::first: return v.front();
    case Aggregator::last: return v.back();
    case Aggregator::var_p: return squares / n;
    case Aggregator::var_s: return v.size() < 2 ? 0 : squares / (n - 1);
    case Aggregator::std_p: return std::sqrt(squares / n);
    case Aggregator::std_s: return v.size() < 2 ? 0 : std::sqrt(squares / (n - 1));
    case Aggregator::percentile: {  // the median, Aggregation's default quantile
      std::sort(v.begin(), v.end());
      const std::size_t middle = v.size() / 2;
      return v.size() % 2 == 1 ? v[middle] : (v[middle - 1] + v[middle]) / 2;
    }
    case Aggregator::twa:
    case Aggregator::increase:
    case Aggregator::rate:
      break;
  }
  return NAN;
}

// Time-weighted average over [start, end): the area under the straight
// lines joining the samples (extended to the edges by interpolating with the
// neighbours, when there are any) divided by the time covered.
double naive_twa(const std::vector<Sample>& all, Timestamp start, Timestamp end) {
  std::vector<std::pair<double, double>> points;  // (t, v)
  const Sample* before = nullptr;
  const Sample* after = nullptr;
  for (const Sample& s : all) {
    if (s.timestamp < start) before = &s;
    if (s.timestamp >= end && after == nullptr) after = &s;
    if (s.timestamp >= start && s.timestamp < end) points.emplace_back(s.timestamp, s.value);
  }
  auto at = [](const Sample& a, double at_t, double bt, double bv) {
    return a.value + (bv - a.value) * (at_t - static_cast<double>(a.timestamp)) / (bt - static_cast<double>(a.timestamp));
  };
  if (before != nullptr && points.front().first > static_cast<double>(start)) {
    points.insert(points.begin(), {static_cast<double>(start), at(*before, static_cast<double>(start), points.front().first, points.front().second)});
  }
  if (after != nullptr && points.back().first < static_cast<double>(end)) {
    const Sample last{static_cast<Timestamp>(points.back().first), points.back().second};
    points.emplace_back(static_cast<double>(end), at(last, static_cast<double>(end), static_cast<double>(after->timestamp), after->value));
  }
  const double span = points.back().first - points.front().first;
  if (span <= 0) return points.front().second;
  double area = 0;
  for (std::size_t i = 1; i < points.size(); ++i) {
    area += (points[i - 1].second + points[i].second) / 2 * (points[i].first - points[i - 1].first);
  }
  return area / span;
}

std::vector<Sample> naive_aggregate(const std::vector<Sample>& in_range, const std::vector<Sample>& all,
                                    const ts::Aggregation& aggregation, Timestamp lo, Timestamp hi) {
  // twa sees the samples of the range and, beyond it, the series' nearest
  // sample on each side.
  std::vector<Sample> visible = in_range;
  if (!in_range.empty()) {
    auto first = std::lower_bound(all.begin(), all.end(), in_range.front(),
                                  [](const Sample& a, const Sample& b) { return a.timestamp < b.timestamp; });
    if (first != all.begin()) visible.insert(visible.begin(), *(first - 1));
    auto last = std::upper_bound(all.begin(), all.end(), in_range.back(),
                                 [](const Sample& a, const Sample& b) { return a.timestamp < b.timestamp; });
    if (last != all.end()) visible.push_back(*last);
  }
  const Timestamp width = aggregation.bucket.count();
  std::map<Timestamp, std::vector<Sample>> buckets;
  for (const Sample& s : in_range) buckets[floor_to_bucket(s.timestamp, width, aggregation.align)].push_back(s);
  std::vector<Sample> out;
  for (const auto& [start, bucket] : buckets) {
    if (aggregation.empty_buckets && !out.empty()) {
      for (Timestamp gap = out.back().timestamp + width; gap < start; gap += width) {
        const bool zero = aggregation.aggregator == Aggregator::count || aggregation.aggregator == Aggregator::sum;
        out.push_back({gap, zero ? 0.0 : std::numeric_limits<double>::quiet_NaN()});
      }
    }
    double value = aggregation.aggregator == Aggregator::twa ? naive_twa(visible, std::max(start, lo), std::min(start + width, hi + 1))
                                                              : naive(aggregation.aggregator, bucket);
    out.push_back({start, value});
  }
  return out;
}

void expect_same(const std::vector<Sample>& actual, const std::vector<Sample>& expected, const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    ASSERT_EQ(actual[i].timestamp, expected[i].timestamp) << what << " at " << i;
    if (std::isnan(expected[i].value)) {
      ASSERT_TRUE(std::isnan(actual[i].value)) << what << " at " << i;
    } else {
      ASSERT_NEAR(actual[i].value, expected[i].value, 1e-9 * std::max(1.0, std::abs(expected[i].value)))
          << what << " at " << i;
    }
  }
}

TEST_F(TsQuery, RandomRangesFiltersAndAggregationsMatchANaiveComputation) {
  std::mt19937_64 random(11);
  std::vector<Sample> all;
  Timestamp t = -40'000;
  std::uniform_int_distribution<Timestamp> gap(1, 2'000);
  std::normal_distribution<double> noise(0, 3);
  double value = 20;
  for (int i = 0; i < 30'000; ++i) {
    t += gap(random);
    value += noise(random);
    all.push_back({t, std::round(value * 100) / 100});
  }
  // Half in bulk, half one call per sample in shuffled order.
  std::vector<Sample> bulk(all.begin(), all.begin() + 20'000);
  store().add_many("q", bulk);
  std::vector<Sample> rest(all.begin() + 20'000, all.end());
  std::shuffle(rest.begin(), rest.end(), random);
  store().add_many("q", rest);
  ASSERT_EQ(store().range("q"), all);

  const Timestamp first = all.front().timestamp;
  const Timestamp last = all.back().timestamp;
  std::uniform_int_distribution<Timestamp> instant(first - 5'000, last + 5'000);
  const std::vector<Aggregator> aggregators{Aggregator::avg,   Aggregator::sum,   Aggregator::min,   Aggregator::max,
                                            Aggregator::range, Aggregator::count, Aggregator::first, Aggregator::last,
                                            Aggregator::std_p, Aggregator::std_s, Aggregator::var_p, Aggregator::var_s,
                                            Aggregator::twa,   Aggregator::percentile};
  for (int round = 0; round < 40; ++round) {
    Timestamp lo = instant(random), hi = instant(random);
    if (lo > hi) std::swap(lo, hi);
    std::vector<Sample> expected;
    for (const Sample& s : all) {
      if (s.timestamp >= lo && s.timestamp <= hi) expected.push_back(s);
    }
    const std::string what = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
    expect_same(store().range("q", {.from = lo, .to = hi}), expected, what);
    auto reversed = expected;
    std::reverse(reversed.begin(), reversed.end());
    expect_same(store().reverse_range("q", {.from = lo, .to = hi}), reversed, what + " reverse");
    const std::size_t count = static_cast<std::size_t>(round * 7 + 1);
    expect_same(store().range("q", {.from = lo, .to = hi, .count = count}),
                std::vector<Sample>(expected.begin(), expected.begin() + std::min(count, expected.size())), what + " count");
    expect_same(store().reverse_range("q", {.from = lo, .to = hi, .count = count}),
                std::vector<Sample>(reversed.begin(), reversed.begin() + std::min(count, reversed.size())), what + " reverse count");

    std::vector<Sample> filtered;
    for (const Sample& s : expected) {
      if (s.value >= 15 && s.value <= 25) filtered.push_back(s);
    }
    expect_same(store().range("q", {.from = lo, .to = hi, .min_value = 15.0, .max_value = 25.0}), filtered, what + " values");
    if (!expected.empty()) {
      const std::vector<Timestamp> picked{expected.front().timestamp, expected.back().timestamp, lo - 1};
      std::vector<Sample> chosen{expected.front()};
      if (expected.size() > 1) chosen.push_back(expected.back());
      expect_same(store().range("q", {.from = lo, .to = hi, .timestamps = picked}), chosen, what + " timestamps");
    }

    const Aggregator aggregator = aggregators[static_cast<std::size_t>(round) % aggregators.size()];
    const ts::Aggregation aggregation{.aggregator = aggregator,
                                      .bucket = std::chrono::milliseconds(1 + static_cast<long>(random() % 90'000)),
                                      .align = round % 3 == 0 ? static_cast<Timestamp>(random() % 1'000) : 0,
                                      .empty_buckets = round % 2 == 0};
    const std::string agg_what = what + " " + ts::to_string(aggregator) + "/" +
                                 std::to_string(aggregation.bucket.count()) + " align " + std::to_string(aggregation.align);
    expect_same(store().range("q", {.from = lo, .to = hi, .aggregation = aggregation}),
                naive_aggregate(expected, all, aggregation, lo, hi), agg_what);
  }
}

TEST_F(TsQuery, EpochAlignedBucketsOfTheSeedsGauge) {
  std::vector<Sample> samples;
  for (Timestamp t = 1'700'000'000'000; t < 1'700'000'000'000 + 3'600'000; t += 1'000) {
    samples.push_back({t, static_cast<double>(t % 7)});
  }
  store().add_many("minute", samples);
  const auto buckets = store().range(
      "minute", {.aggregation = ts::Aggregation{.aggregator = Aggregator::avg, .bucket = std::chrono::minutes(1)}});
  ASSERT_EQ(buckets.size(), 61u);  // the hour starts 20 s into a minute
  for (const Sample& bucket : buckets) {
    EXPECT_EQ(bucket.timestamp % 60'000, 0);
  }
  EXPECT_EQ(store().range("minute", {.aggregation = ts::Aggregation{.aggregator = Aggregator::count,
                                                                     .bucket = std::chrono::hours(24)}}),
            (std::vector<Sample>{{1'699'920'000'000, 3600}}));
}

}  // namespace
}  // namespace redkit::test

namespace redkit::test {
namespace {

// Prometheus's own test data (promql/testdata/functions.test): counters
// sampled every 5 min, http_requests{path="/foo"} 0+10x10 and {path="/bar"}
// 0+10x5 0+10x5 (a reset at 30 min). At 50 min over 50 min Prometheus gives
// increase 100 and 90, rate 100/3000 and 90/3000 per second. Here the range
// [0, 50 min] is one bucket clipped to [0, 50 min + 1 ms), so the end is
// stretched by 1 ms of 50 min: within 1e-3 of the documented figures.
TEST_F(TsQuery, IncreaseAndRateGivePrometheusDocumentedResults) {
  ts::Store& store = this->store();
  for (const std::string name : {"foo", "bar"}) {
    store.create(name, {.labels = {{"job", "counters"}}});
  }
  constexpr Timestamp kFive = 5 * 60'000;
  for (int i = 0; i <= 10; ++i) {
    store.add("foo", i * kFive, 10.0 * i);
    store.add("bar", i * kFive, 10.0 * (i % 6));
  }
  const auto over = [&](const std::string& name, Aggregator aggregator) {
    const auto buckets = store.range(
        name, {.from = 0, .to = 10 * kFive,
               .aggregation = ts::Aggregation{.aggregator = aggregator, .bucket = std::chrono::milliseconds(20 * kFive)}});
    EXPECT_EQ(buckets.size(), 1u) << name;
    return buckets.at(0).value;
  };
  EXPECT_NEAR(over("foo", Aggregator::increase), 100, 1e-3);
  EXPECT_NEAR(over("bar", Aggregator::increase), 90, 1e-3);
  EXPECT_NEAR(over("foo", Aggregator::rate), 100.0 / 3000, 1e-9);
  EXPECT_NEAR(over("bar", Aggregator::rate), 90.0 / 3000, 1e-9);
  // Across series, per 25-minute bucket: /bar's second bucket holds its
  // reset (50 at 25 min, 0 at 30 min).
  const auto per_series = store.mrange(
      {"job=counters"},
      {.from = 0, .to = 10 * kFive - 1,
       .aggregation = ts::Aggregation{.aggregator = Aggregator::increase, .bucket = std::chrono::milliseconds(5 * kFive)}});
  ASSERT_EQ(per_series.size(), 2u);
  ASSERT_EQ(per_series[0].name, "bar");
  ASSERT_EQ(per_series[0].samples.size(), 2u);
  // 25..45 min: 50, 0, 10, 20, 30 -> rise 30 - 50 + 50 = 30 over 20 min,
  // ends 0 and 5 min away (under 5.5 min): 30 * 25 / 20.
  EXPECT_DOUBLE_EQ(per_series[0].samples[1].value, 30.0 * 25 / 20);
  EXPECT_DOUBLE_EQ(per_series[1].samples[1].value, 40.0 * 25 / 20);  // /foo: 50 to 90
  // A compaction rule keeps the same buckets as they close.
  store.create("foo:rate");
  store.create("live");
  store.create_rule("live", "foo:rate", {.aggregator = Aggregator::rate, .bucket = std::chrono::milliseconds(2 * kFive)});
  for (int i = 0; i <= 10; ++i) store.add("live", i * kFive, 10.0 * i + (i > 6 ? 0.5 : 0));
  const auto computed = store.range(
      "live", {.from = 0, .to = 10 * kFive - 1,
               .aggregation = ts::Aggregation{.aggregator = Aggregator::rate, .bucket = std::chrono::milliseconds(2 * kFive)},
               .use_compactions = false});
  EXPECT_EQ(store.range("foo:rate"), computed);
  ASSERT_EQ(computed.size(), 5u);
}

}  // namespace
}  // namespace redkit::test
