// Anomaly scores against references computed here from the definitions,
// including the flat and the too-short baseline.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "analytics/anomaly.hpp"
#include "redkit/error.hpp"

namespace redkit::analytics {
namespace {

AnomalyScore score(const std::vector<double>& baseline, double value, AnomalyOptions options = {}) {
  return score_anomaly(baseline, value, options);
}

TEST(Anomaly, ZScoreUsesTheMeanAndTheSampleStandardDeviation) {
  const std::vector<double> baseline{1, 2, 3, 4, 5};
  const double deviation = std::sqrt((4.0 + 1 + 0 + 1 + 4) / 4);  // sample: n - 1
  const AnomalyScore high = score(baseline, 8);
  EXPECT_EQ(high.outcome, AnomalyOutcome::anomalous);
  EXPECT_DOUBLE_EQ(high.centre, 3);
  EXPECT_DOUBLE_EQ(high.spread, deviation);
  ASSERT_TRUE(high.score);
  EXPECT_DOUBLE_EQ(*high.score, 5 / deviation);
  EXPECT_EQ(high.baseline_count, 5u);
  EXPECT_FALSE(high.flat);
  const AnomalyScore near = score(baseline, 7);
  EXPECT_EQ(near.outcome, AnomalyOutcome::normal);
  EXPECT_DOUBLE_EQ(*near.score, 4 / deviation);
  // Below the centre counts the same; a lower sensitivity flags more.
  EXPECT_EQ(score(baseline, -2).outcome, AnomalyOutcome::anomalous);
  EXPECT_EQ(score(baseline, 7, {.sensitivity = 2}).outcome, AnomalyOutcome::anomalous);
}

TEST(Anomaly, AFlatBaselineGivesAnExplicitVerdictAndNoScore) {
  for (AnomalyMethod method : {AnomalyMethod::z, AnomalyMethod::mad, AnomalyMethod::ewma}) {
    const AnomalyScore same = score({5, 5, 5, 5}, 5, {.method = method});
    EXPECT_TRUE(same.flat) << static_cast<int>(method);
    EXPECT_EQ(same.outcome, AnomalyOutcome::normal) << static_cast<int>(method);
    EXPECT_FALSE(same.score.has_value()) << static_cast<int>(method);
    const AnomalyScore other = score({5, 5, 5, 5}, 5.01, {.method = method});
    EXPECT_TRUE(other.flat) << static_cast<int>(method);
    EXPECT_EQ(other.outcome, AnomalyOutcome::anomalous) << static_cast<int>(method);
    EXPECT_FALSE(other.score.has_value()) << static_cast<int>(method);
  }
}

TEST(Anomaly, ATooShortBaselineSaysSo) {
  for (AnomalyMethod method : {AnomalyMethod::z, AnomalyMethod::mad, AnomalyMethod::ewma}) {
    const AnomalyScore none = score({}, 1, {.method = method});
    EXPECT_EQ(none.outcome, AnomalyOutcome::insufficient_baseline);
    EXPECT_FALSE(none.score.has_value());
    EXPECT_EQ(score({3}, 100, {.method = method}).outcome, AnomalyOutcome::insufficient_baseline);
    EXPECT_EQ(score({1, 2, 3}, 100, {.method = method, .min_baseline = 4}).outcome,
              AnomalyOutcome::insufficient_baseline);
    EXPECT_EQ(score({1, 2, 3, 4}, 100, {.method = method, .min_baseline = 4}).outcome, AnomalyOutcome::anomalous);
  }
}

// The median and the scaled median absolute deviation ignore the spike that
// inflates the standard deviation enough to hide the next one.
TEST(Anomaly, MadIsNotFooledByASpikeInTheBaseline) {
  const std::vector<double> baseline{1, 2, 3, 4, 100};
  const double sigma = 1.482602218505602 * 1;  // deviations 2 1 0 1 97: median 1
  const AnomalyScore robust = score(baseline, 10, {.method = AnomalyMethod::mad});
  EXPECT_DOUBLE_EQ(robust.centre, 3);
  EXPECT_DOUBLE_EQ(robust.spread, sigma);
  EXPECT_DOUBLE_EQ(*robust.score, 7 / sigma);
  EXPECT_EQ(robust.outcome, AnomalyOutcome::anomalous);
  EXPECT_EQ(score(baseline, 10, {.method = AnomalyMethod::z}).outcome, AnomalyOutcome::normal);
  // An even count takes the middle of the two middle values.
  const AnomalyScore even = score({4, 1, 3, 2}, 2.5, {.method = AnomalyMethod::mad});
  EXPECT_DOUBLE_EQ(even.centre, 2.5);
  EXPECT_DOUBLE_EQ(even.spread, 1.482602218505602 * 1.0);  // deviations 1.5 .5 .5 1.5
  EXPECT_DOUBLE_EQ(*even.score, 0);
}

// On a steady ramp the weighted mean lags the newest value by
// (1 - alpha) / alpha steps and the weighted variance settles at
// (1 - alpha) / alpha^2 (step 1), so a drifting series scores against where
// it is now, not where it was on average.
TEST(Anomaly, EwmaFollowsADriftingSeries) {
  std::vector<double> ramp;
  for (int i = 0; i < 200; ++i) ramp.push_back(i);
  const double alpha = 0.3;
  const AnomalyScore next = score(ramp, 200, {.method = AnomalyMethod::ewma, .ewma_alpha = alpha});
  EXPECT_NEAR(next.centre, 199 - (1 - alpha) / alpha, 1e-9);
  EXPECT_NEAR(next.spread, std::sqrt(1 - alpha) / alpha, 1e-9);
  EXPECT_EQ(next.outcome, AnomalyOutcome::normal);
  EXPECT_EQ(score(ramp, 200, {.method = AnomalyMethod::z}).outcome, AnomalyOutcome::normal);
  // 40 steps ahead of the ramp is far off for ewma, still within 3 sigma of
  // the whole ramp's mean for z.
  EXPECT_EQ(score(ramp, 240, {.method = AnomalyMethod::ewma, .ewma_alpha = alpha}).outcome,
            AnomalyOutcome::anomalous);
  EXPECT_EQ(score(ramp, 240, {.method = AnomalyMethod::z}).outcome, AnomalyOutcome::normal);
}

TEST(Anomaly, BadOptionsAndValuesAreRefusedByName) {
  auto message = [](auto&& call) {
    try {
      call();
    } catch (const InvalidArgument& error) {
      return std::string(error.what());
    }
    return std::string("(no error)");
  };
  const std::vector<double> baseline{1, 2, 3};
  EXPECT_EQ(message([&] { score(baseline, 1, {.sensitivity = 0}); }),
            "anomaly sensitivity 0 is not a positive number of spreads");
  EXPECT_EQ(message([&] { score(baseline, 1, {.sensitivity = NAN}); }),
            "anomaly sensitivity nan is not a positive number of spreads");
  EXPECT_EQ(message([&] { score(baseline, 1, {.min_baseline = 1}); }),
            "anomaly min_baseline 1 is below 2 (a spread needs two values)");
  EXPECT_EQ(message([&] { score(baseline, 1, {.ewma_alpha = 0}); }), "anomaly ewma_alpha 0 is not in (0, 1]");
  EXPECT_EQ(message([&] { score(baseline, 1, {.ewma_alpha = 1.5}); }), "anomaly ewma_alpha 1.5 is not in (0, 1]");
  EXPECT_EQ(message([&] { score(baseline, INFINITY); }), "anomaly score of a non-finite value inf");
  EXPECT_EQ(message([&] { score({1, NAN}, 1); }), "anomaly baseline holds a non-finite value nan");
}

}  // namespace
}  // namespace redkit::analytics
