// Correlation and outliers against a real server: constructed series whose
// coefficients are known (perfectly correlated, anti-correlated, unrelated,
// constant, partly overlapping), windows read through a compaction rule
// after raw retention dropped the samples, outliers against references
// computed here, and bad queries refused by name.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "redkit/error.hpp"
#include "redkit/ts_analytics.hpp"
#include "support/error_of.hpp"
#include "support/ts_store_test.hpp"

namespace redkit::test {
namespace {

using namespace std::chrono_literals;

constexpr ts::Timestamp kAnalyticsHour = 3'600'000;
constexpr ts::Timestamp kAnalyticsMinute = 60'000;
constexpr ts::Timestamp kAnalyticsT0 = 1'700'000'000'000 - 1'700'000'000'000 % kAnalyticsHour;  // on the hour grid

// Pearson's r from its definition, for references.
double reference_r(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) mx += x[i], my += y[i];
  mx /= n, my /= n;
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

class TsAnalyticsTest : public TsStoreTest {
 protected:
  ts::SeriesAnalyzer analyzer() { return ts::SeriesAnalyzer(client(), {.prefix = prefix()}); }
  void create(const std::string& name, ts::Labels labels = {{"group", "g"}}) {
    store().create(name, {.labels = std::move(labels)});
  }
  // One sample every 10 s for `minutes` minutes from kAnalyticsT0, value f(i).
  template <typename F>
  void feed(const std::string& name, int minutes, F f, int from_minute = 0) {
    std::vector<ts::Sample> samples;
    for (int i = from_minute * 6; i < minutes * 6; ++i) samples.push_back({kAnalyticsT0 + i * 10'000, f(i)});
    store().add_many(name, samples);
  }
};

double wave(int i) { return std::round(100 * (50 + 20 * std::sin(i / 7.0) + (i % 11))) / 100; }

TEST_F(TsAnalyticsTest, MatrixOfConstructedSeriesByLabelFilter) {
  create("a");
  create("b");
  create("c");
  create("flat");
  create("half");
  create("other", {{"group", "elsewhere"}});
  feed("a", 60, wave);
  feed("b", 60, [](int i) { return 3 * wave(i) + 7; });
  feed("c", 60, [](int i) { return 100 - wave(i); });
  feed("flat", 60, [](int) { return 0.1; });  // window averages of 0.1 round a bit apart
  feed("half", 60, [](int i) { return wave(i) * wave(i); }, 30);
  feed("other", 60, wave);
  const auto matrix = analyzer().correlate({.filters = {"group=g"}, .from = kAnalyticsT0, .to = kAnalyticsT0 + kAnalyticsHour - 1,
                                            .window = 1min});
  ASSERT_EQ(matrix.rows, (std::vector<std::string>{"a", "b", "c", "flat", "half"}));
  ASSERT_EQ(matrix.columns, matrix.rows);
  auto cell = [&](const std::string& r, const std::string& c) {
    const auto row = std::find(matrix.rows.begin(), matrix.rows.end(), r) - matrix.rows.begin();
    const auto column = std::find(matrix.columns.begin(), matrix.columns.end(), c) - matrix.columns.begin();
    return matrix.at(static_cast<std::size_t>(row), static_cast<std::size_t>(column));
  };
  EXPECT_NEAR(*cell("a", "b").coefficient, 1.0, 1e-12);
  EXPECT_NEAR(*cell("a", "c").coefficient, -1.0, 1e-12);
  EXPECT_NEAR(*cell("a", "a").coefficient, 1.0, 1e-12);
  EXPECT_EQ(cell("a", "b").windows, 60u);
  // A constant side is undefined, not 0 (nor the noise of its rounding).
  EXPECT_FALSE(cell("a", "flat").coefficient);
  EXPECT_EQ(cell("a", "flat").windows, 60u);
  EXPECT_FALSE(cell("flat", "flat").coefficient);
  // Aligned on the 30 windows both have; the reference averages the raw
  // samples per minute here.
  std::vector<double> x, y;
  for (int w = 30; w < 60; ++w) {
    double sa = 0, sh = 0;
    for (int i = w * 6; i < w * 6 + 6; ++i) sa += wave(i), sh += wave(i) * wave(i);
    x.push_back(sa / 6);
    y.push_back(sh / 6);
  }
  EXPECT_EQ(cell("a", "half").windows, 30u);
  EXPECT_NEAR(*cell("a", "half").coefficient, reference_r(x, y), 1e-9);
  EXPECT_EQ(cell("half", "a").coefficient, cell("a", "half").coefficient);
  // Fewer than two common windows: undefined.
  const auto short_range = analyzer().correlate({.series = {"a", "half"}, .from = kAnalyticsT0 + 30 * kAnalyticsMinute,
                                                 .to = kAnalyticsT0 + 31 * kAnalyticsMinute - 1, .window = 1min});
  EXPECT_EQ(short_range.at(0, 1).windows, 1u);
  EXPECT_FALSE(short_range.at(0, 1).coefficient);
}

TEST_F(TsAnalyticsTest, SpearmanSeesAMonotonicRelationPearsonUnderrates) {
  create("x");
  create("steep");
  feed("x", 30, [](int i) { return static_cast<double>(i); });
  feed("steep", 30, [](int i) { return std::pow(1.05, i); });
  const ts::CorrelationQuery query{.series = {"x", "steep"}, .from = kAnalyticsT0, .to = kAnalyticsT0 + 30 * kAnalyticsMinute - 1,
                                   .window = 1min};
  auto spearman = query;
  spearman.method = ts::CorrelationMethod::spearman;
  EXPECT_NEAR(*analyzer().correlate(spearman).at(0, 1).coefficient, 1.0, 1e-12);
  EXPECT_LT(*analyzer().correlate(query).at(0, 1).coefficient, 0.95);
}

TEST_F(TsAnalyticsTest, AgainstOneSeriesGivesAColumn) {
  create("a");
  create("b");
  create("c");
  create("ref", {});
  feed("a", 20, wave);
  feed("b", 20, [](int i) { return -wave(i); });
  feed("c", 20, [](int i) { return 2 * wave(i); });
  feed("ref", 20, wave);
  const auto column = analyzer().correlate({.filters = {"group=g"}, .against = "ref", .window = 1min});
  ASSERT_EQ(column.rows, (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_EQ(column.columns, (std::vector<std::string>{"ref"}));
  EXPECT_NEAR(*column.at(0, 0).coefficient, 1.0, 1e-12);
  EXPECT_NEAR(*column.at(1, 0).coefficient, -1.0, 1e-12);
  EXPECT_NEAR(*column.at(2, 0).coefficient, 1.0, 1e-12);
  EXPECT_EQ(column.at(2, 0).windows, 20u);
}

// A day at 1 min, raw retention of 2 h: hourly windows of the old hours come
// from the 1 h compaction rules, and equal the correlation of the hourly
// averages computed here.
TEST_F(TsAnalyticsTest, HourlyWindowsAreReadThroughCompactionRules) {
  for (const std::string name : {"p", "q"}) {
    store().create(name, {.retention = std::chrono::milliseconds(2 * kAnalyticsHour), .labels = {{"group", "g"}}});
    store().create(name + ":1h");
    store().create_rule(name, name + ":1h", {.aggregator = ts::Aggregator::avg, .bucket = 1h});
  }
  auto p = [](int minute) { return std::round(100 * (40 + 10 * std::sin(minute / 50.0))) / 100; };
  auto q = [](int minute) { return std::round(100 * (5 + 0.3 * minute + 3 * std::cos(minute / 9.0))) / 100; };
  // An hour per call, as they arrive: a call's samples older than what its
  // newest lets retention keep are dropped before any rule sees them.
  for (int h = 0; h < 24; ++h) {
    std::vector<ts::Sample> ps, qs;
    for (int m = h * 60; m < h * 60 + 60; ++m) {
      ps.push_back({kAnalyticsT0 + m * kAnalyticsMinute, p(m)});
      qs.push_back({kAnalyticsT0 + m * kAnalyticsMinute, q(m)});
    }
    store().add_many("p", ps);
    store().add_many("q", qs);
  }
  ASSERT_TRUE(store().range("p", {.from = kAnalyticsT0, .to = kAnalyticsT0 + 20 * kAnalyticsHour}).empty());  // raw dropped
  const auto matrix = analyzer().correlate({.series = {"p", "q"}, .from = kAnalyticsT0, .to = kAnalyticsT0 + 20 * kAnalyticsHour - 1,
                                            .window = 1h});
  std::vector<double> x, y;
  for (int h = 0; h < 20; ++h) {
    double sp = 0, sq = 0;
    for (int m = h * 60; m < h * 60 + 60; ++m) sp += p(m), sq += q(m);
    x.push_back(sp / 60);
    y.push_back(sq / 60);
  }
  EXPECT_EQ(matrix.at(0, 1).windows, 20u);
  EXPECT_NEAR(*matrix.at(0, 1).coefficient, reference_r(x, y), 1e-9);
}

TEST_F(TsAnalyticsTest, OutliersByIqrAndZScoreMatchTheReference) {
  create("s");
  create("t");
  // 40 values 10..49 (shuffled in time), plus two spikes.
  std::vector<double> values;
  for (int i = 0; i < 40; ++i) values.push_back(10 + (i * 17) % 40);
  values.push_back(200);
  values.push_back(-120);
  for (std::size_t i = 0; i < values.size(); ++i) {
    store().add("s", kAnalyticsT0 + static_cast<ts::Timestamp>(i) * 1'000, values[i]);
    store().add("t", kAnalyticsT0 + static_cast<ts::Timestamp>(i) * 1'000, 5);
  }
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  auto quantile = [&](double q) {  // type 7, as documented
    const double h = (static_cast<double>(sorted.size()) - 1) * q;
    const auto lo = static_cast<std::size_t>(h);
    return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[lo + 1] - sorted[lo]);
  };
  const auto iqr = analyzer().outliers({.filters = {"group=g"}});
  ASSERT_EQ(iqr.size(), 2u);
  EXPECT_EQ(iqr[0].series, "s");
  EXPECT_EQ(iqr[0].values, 42u);
  EXPECT_DOUBLE_EQ(*iqr[0].first, quantile(0.25));
  EXPECT_DOUBLE_EQ(*iqr[0].second, quantile(0.75));
  EXPECT_NEAR(*iqr[0].upper, quantile(0.75) + 1.5 * (quantile(0.75) - quantile(0.25)), 1e-6);
  EXPECT_EQ(iqr[0].outliers, (std::vector<ts::Sample>{{kAnalyticsT0 + 40'000, 200}, {kAnalyticsT0 + 41'000, -120}}));
  EXPECT_TRUE(iqr[1].outliers.empty());  // constant: nothing outside
  // z-score with k = 2: only the larger spike is that far from the mean.
  const auto z = analyzer().outliers({.series = {"s"}, .method = ts::OutlierMethod::zscore, .threshold = 2.0});
  double mean = 0;
  for (const double v : values) mean += v;
  mean /= static_cast<double>(values.size());
  double squares = 0;
  for (const double v : values) squares += (v - mean) * (v - mean);
  const double deviation = std::sqrt(squares / static_cast<double>(values.size() - 1));
  ASSERT_EQ(z.size(), 1u);
  EXPECT_DOUBLE_EQ(*z[0].first, mean);
  EXPECT_DOUBLE_EQ(*z[0].second, deviation);
  std::vector<ts::Sample> beyond;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (std::abs(values[i] - mean) > 2 * deviation) beyond.push_back({kAnalyticsT0 + static_cast<ts::Timestamp>(i) * 1'000, values[i]});
  }
  ASSERT_FALSE(beyond.empty());
  EXPECT_EQ(z[0].outliers, beyond);
  // Over 10 s windows the spikes are averaged with their neighbours.
  const auto windowed = analyzer().outliers({.series = {"s"}, .window = 10s});
  EXPECT_EQ(windowed[0].values, 5u);
}

TEST_F(TsAnalyticsTest, BadQueriesAreRefusedByName) {
  create("a");
  feed("a", 2, wave);
  EXPECT_NE(error_of<InvalidArgument>([&] { analyzer().correlate({}); }).find("not both and not neither"),
            std::string::npos);
  EXPECT_NE(error_of<InvalidArgument>([&] { analyzer().correlate({.series = {"a"}}); }).find("at least two"),
            std::string::npos);
  EXPECT_NE(error_of<InvalidArgument>([&] { analyzer().correlate({.series = {"a", "a2"}, .window = 0ms}); })
                .find("window 0 ms"),
            std::string::npos);
  EXPECT_NE(error_of<InvalidArgument>([&] { analyzer().correlate({.series = {"a", "a"}, .from = 5, .to = 4}); })
                .find("from 5 is after to 4"),
            std::string::npos);
  EXPECT_NE(error_of<ts::SeriesNotFound>([&] { analyzer().correlate({.series = {"a", "nope"}}); }).find("nope"),
            std::string::npos);
  EXPECT_NE(error_of<ts::SeriesNotFound>([&] { analyzer().correlate({.series = {"a"}, .against = "gone"}); })
                .find("gone"),
            std::string::npos);
  EXPECT_NE(error_of<InvalidArgument>([&] { analyzer().outliers({.series = {"a"}, .threshold = -1.0}); })
                .find("threshold -1"),
            std::string::npos);
  EXPECT_NE(error_of<InvalidArgument>([&] { analyzer().outliers({.series = {"a"}, .window = -1ms}); })
                .find("window -1 ms"),
            std::string::npos);
  EXPECT_NE(error_of<InvalidArgument>([] { (void)ts::parse_correlation_method("kendall"); }).find("kendall"),
            std::string::npos);
}

}  // namespace
}  // namespace redkit::test
