// The alert state machine on explicit evaluation times: `for`, hysteresis,
// keep_firing_for, the repeat interval and the no-data policies.
#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "alert/alert_state.hpp"

namespace redkit::alert {
namespace {

using namespace std::chrono_literals;

constexpr Millis kSecond = 1'000;
constexpr Millis kMinute = 60 * kSecond;

// Fire above 90, resolve below 85.
Observation seen(double value) { return {.value = value, .breaching = value > 90, .recovered = value < 85}; }
Observation no_data() { return {}; }

// Feeds observations at the given times and returns the events.
struct Driver {
  AlertTiming timing{};
  NoDataPolicy no_data = NoDataPolicy::keep;
  AlertState state{};
  AlertEvent at(Millis now, const Observation& observation) {
    const Evaluation result = evaluate(state, observation, now, timing, no_data);
    state = result.state;
    return result.event;
  }
};

TEST(AlertState, FiresOnlyAfterTheConditionHeldForItsDuration) {
  Driver alert{.timing = {.for_duration = 60s}};
  EXPECT_EQ(alert.at(0, seen(95)), AlertEvent::none);
  EXPECT_EQ(alert.state.phase, AlertPhase::pending);
  EXPECT_EQ(alert.state.since, 0);
  EXPECT_EQ(alert.at(30 * kSecond, seen(97)), AlertEvent::none);
  EXPECT_EQ(alert.state.phase, AlertPhase::pending);
  EXPECT_EQ(alert.at(60 * kSecond, seen(96)), AlertEvent::fired);
  EXPECT_EQ(alert.state.phase, AlertPhase::firing);
  EXPECT_EQ(alert.state.since, 60 * kSecond);
  EXPECT_EQ(alert.state.value, 96);
  // Firing and still breaching: no notification at every evaluation.
  for (Millis t = 70 * kSecond; t < 10 * kMinute; t += 10 * kSecond) {
    EXPECT_EQ(alert.at(t, seen(99)), AlertEvent::none) << t;
  }
}

TEST(AlertState, APendingAlertThatStopsBreachingGoesQuietlyInactive) {
  Driver alert{.timing = {.for_duration = 60s}};
  EXPECT_EQ(alert.at(0, seen(95)), AlertEvent::none);
  EXPECT_EQ(alert.at(30 * kSecond, seen(80)), AlertEvent::none);
  EXPECT_EQ(alert.state, (AlertState{.value = 80}));
  // The duration counts again from the next breach.
  EXPECT_EQ(alert.at(40 * kSecond, seen(95)), AlertEvent::none);
  EXPECT_EQ(alert.at(90 * kSecond, seen(95)), AlertEvent::none);
  EXPECT_EQ(alert.at(100 * kSecond, seen(95)), AlertEvent::fired);
}

TEST(AlertState, HysteresisKeepsAFiringAlertBetweenTheTwoLines) {
  Driver alert;  // no `for`: fires at the first breach
  EXPECT_EQ(alert.at(0, seen(95)), AlertEvent::fired);
  EXPECT_EQ(alert.at(kMinute, seen(88)), AlertEvent::none);  // below 90, not below 85
  EXPECT_EQ(alert.state.phase, AlertPhase::firing);
  EXPECT_EQ(alert.at(2 * kMinute, seen(86)), AlertEvent::none);
  EXPECT_EQ(alert.at(3 * kMinute, seen(84)), AlertEvent::resolved);
  EXPECT_EQ(alert.state, (AlertState{.value = 84}));
  // Between the lines an inactive alert does not fire either.
  EXPECT_EQ(alert.at(4 * kMinute, seen(88)), AlertEvent::none);
  EXPECT_EQ(alert.state.phase, AlertPhase::inactive);
}

TEST(AlertState, RepeatsOnlyEveryRepeatInterval) {
  Driver alert{.timing = {.repeat_interval = 5min}};
  std::vector<Millis> repeats;
  EXPECT_EQ(alert.at(0, seen(95)), AlertEvent::fired);
  for (Millis t = 30 * kSecond; t <= 12 * kMinute; t += 30 * kSecond) {
    if (alert.at(t, seen(95)) == AlertEvent::repeated) repeats.push_back(t);
  }
  EXPECT_EQ(repeats, (std::vector<Millis>{5 * kMinute, 10 * kMinute}));
  EXPECT_EQ(alert.at(13 * kMinute, seen(50)), AlertEvent::resolved);
}

TEST(AlertState, KeepFiringForHoldsAnAlertThroughAShortRecovery) {
  Driver alert{.timing = {.keep_firing_for = 2min}};
  EXPECT_EQ(alert.at(0, seen(95)), AlertEvent::fired);
  EXPECT_EQ(alert.at(kMinute, seen(50)), AlertEvent::none);  // recovered, but breached a minute ago
  EXPECT_EQ(alert.state.phase, AlertPhase::firing);
  EXPECT_EQ(alert.at(90 * kSecond, seen(95)), AlertEvent::none);  // breaches again: the clock restarts
  EXPECT_EQ(alert.at(3 * kMinute, seen(50)), AlertEvent::none);
  EXPECT_EQ(alert.at(210 * kSecond, seen(50)), AlertEvent::resolved);
}

TEST(AlertState, NoDataKeepsResolvesOrAlertsAsTheRuleSays) {
  Driver kept{.no_data = NoDataPolicy::keep};
  EXPECT_EQ(kept.at(0, seen(95)), AlertEvent::fired);
  const AlertState before = kept.state;
  EXPECT_EQ(kept.at(kMinute, no_data()), AlertEvent::none);
  EXPECT_EQ(kept.state, before);

  Driver resolved{.no_data = NoDataPolicy::resolve};
  EXPECT_EQ(resolved.at(0, seen(95)), AlertEvent::fired);
  EXPECT_EQ(resolved.at(kMinute, no_data()), AlertEvent::resolved);
  EXPECT_EQ(resolved.state.value, 95);  // the last value seen stays known

  Driver absent{.timing = {.for_duration = 2min}, .no_data = NoDataPolicy::alert};
  EXPECT_EQ(absent.at(0, seen(50)), AlertEvent::none);
  EXPECT_EQ(absent.at(kMinute, no_data()), AlertEvent::none);
  EXPECT_EQ(absent.state.phase, AlertPhase::pending);
  EXPECT_EQ(absent.at(3 * kMinute, no_data()), AlertEvent::fired);
  EXPECT_EQ(absent.at(4 * kMinute, seen(50)), AlertEvent::resolved);
}

// An observation that says both (a caller's hysteresis lines crossed) is
// treated as breaching: a firing alert does not resolve on it.
TEST(AlertState, ABreachingObservationNeverResolves) {
  Driver alert;
  EXPECT_EQ(alert.at(0, seen(95)), AlertEvent::fired);
  EXPECT_EQ(alert.at(kMinute, {.value = 95, .breaching = true, .recovered = true}), AlertEvent::none);
  EXPECT_EQ(alert.state.phase, AlertPhase::firing);
}

}  // namespace
}  // namespace redkit::alert
