// The alert evaluator against a real server: windows read through the
// store, `for` and hysteresis over successive evaluation times, one alert
// instance per matching series, templated notifications, history, and
// exactly one notification per transition however many evaluators race.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "redkit/ts_alerts.hpp"
#include "support/ts_store_test.hpp"

namespace redkit::test {
namespace {

using namespace std::chrono_literals;
using ts::AlertCondition;
using ts::AlertEventKind;
using ts::AlertNotification;
using ts::AlertRule;
using ts::Timestamp;

constexpr Timestamp kT0 = 1'700'000'000'000;
constexpr Timestamp kMinute = 60'000;

class AlertEngineTest : public TsStoreTest {
 protected:
  void SetUp() override {
    TsStoreTest::SetUp();
    rules_ = std::make_unique<ts::AlertRules>(client(), ts::AlertRulesOptions{.prefix = prefix()});
    engine_ = std::make_unique<ts::AlertEngine>(client(), ts::AlertRulesOptions{.prefix = prefix()});
  }
  ts::AlertRules& rules() { return *rules_; }
  ts::AlertEngine& engine() { return *engine_; }
  // One sample a minute into `name`, ending at `until`.
  void feed(const std::string& name, Timestamp from, Timestamp until, double value) {
    for (Timestamp t = from; t <= until; t += kMinute) store().add(name, t, value);
  }
  static std::vector<AlertEventKind> kinds(const std::vector<AlertNotification>& notifications) {
    std::vector<AlertEventKind> out;
    for (const auto& n : notifications) out.push_back(n.transition.event);
    return out;
  }

 private:
  std::unique_ptr<ts::AlertRules> rules_;
  std::unique_ptr<ts::AlertEngine> engine_;
};

TEST_F(AlertEngineTest, FiresAfterForHoldsThroughHysteresisAndResolves) {
  store().create("cpu", {.retention = {}, .duplicate_policy = ts::DuplicatePolicy::last,
                         .labels = {{"host", "web-1"}}});
  rules().add({.name = "cpu-high",
               .series = "cpu",
               .window = 1min,
               .aggregator = ts::Aggregator::max,
               .threshold = 90,
               .resolve_threshold = 85,
               .for_duration = 2min,
               .repeat_interval = 0ms,
               .labels = {{"severity", "page"}},
               .annotations = {{"summary", "{{series}} on {{label.host}} at {{value}}"}}});
  feed("cpu", kT0, kT0 + 2 * kMinute, 95);
  EXPECT_TRUE(engine().evaluate(kT0).empty());               // pending
  EXPECT_TRUE(engine().evaluate(kT0 + kMinute).empty());     // pending a minute
  const auto fired = engine().evaluate(kT0 + 2 * kMinute);  // held 2 minutes
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0],
            (AlertNotification{.transition = {.rule = "cpu-high",
                                              .series = "cpu",
                                              .event = AlertEventKind::fired,
                                              .at = kT0 + 2 * kMinute,
                                              .value = 95,
                                              .active_since = kT0 + 2 * kMinute},
                               .labels = {{"alertname", "cpu-high"}, {"host", "web-1"}, {"series", "cpu"},
                                          {"severity", "page"}},
                               .annotations = {{"summary", "cpu on web-1 at 95"}}}));
  // Between the lines: still firing, and no notification again.
  feed("cpu", kT0 + 3 * kMinute, kT0 + 4 * kMinute, 88);
  EXPECT_TRUE(engine().evaluate(kT0 + 3 * kMinute).empty());
  EXPECT_TRUE(engine().evaluate(kT0 + 4 * kMinute).empty());
  feed("cpu", kT0 + 5 * kMinute, kT0 + 5 * kMinute, 80);
  const auto resolved = engine().evaluate(kT0 + 5 * kMinute);
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0].transition.event, AlertEventKind::resolved);
  EXPECT_EQ(resolved[0].transition.value, 80);
  EXPECT_EQ(resolved[0].transition.active_since, kT0 + 2 * kMinute);
  // The history holds both transitions, newest first.
  EXPECT_EQ(engine().history(),
            (std::vector<ts::AlertTransition>{
                {"cpu-high", "cpu", AlertEventKind::resolved, kT0 + 5 * kMinute, 80, kT0 + 2 * kMinute},
                {"cpu-high", "cpu", AlertEventKind::fired, kT0 + 2 * kMinute, 95, kT0 + 2 * kMinute}}));
  EXPECT_EQ(engine().history("cpu-high", 1).size(), 1u);
  EXPECT_TRUE(engine().history("other").empty());
}

TEST_F(AlertEngineTest, ARuleOverLabelsAlertsPerSeriesAndRepeatsOnItsInterval) {
  for (const std::string host : {"a", "b", "c"}) {
    store().create("load:" + host, {.retention = {}, .duplicate_policy = {}, .labels = {{"metric", "load"}, {"host", host}}});
  }
  rules().add({.name = "load", .filters = {"metric=load"}, .window = 1min, .threshold = 4, .repeat_interval = 10min});
  feed("load:a", kT0, kT0 + 20 * kMinute, 5);
  feed("load:b", kT0, kT0 + 20 * kMinute, 1);
  feed("load:c", kT0, kT0 + 20 * kMinute, 7);
  std::vector<std::pair<Timestamp, std::string>> seen;
  for (Timestamp t = kT0; t <= kT0 + 20 * kMinute; t += kMinute) {
    for (const auto& n : engine().evaluate(t)) {
      seen.emplace_back(t - kT0, n.transition.series + " " + ts::to_string(n.transition.event));
    }
  }
  EXPECT_EQ(seen, (std::vector<std::pair<Timestamp, std::string>>{{0, "load:a fired"},
                                                                   {0, "load:c fired"},
                                                                   {10 * kMinute, "load:a repeated"},
                                                                   {10 * kMinute, "load:c repeated"},
                                                                   {20 * kMinute, "load:a repeated"},
                                                                   {20 * kMinute, "load:c repeated"}}));
}

TEST_F(AlertEngineTest, NoDataCanBeAnAlertOfItsOwn) {
  rules().add({.name = "heartbeat", .series = "beat", .window = 1min, .condition = AlertCondition::below,
               .threshold = 0, .for_duration = 2min, .no_data = ts::NoDataPolicy::alert});
  feed("beat", kT0, kT0 + 2 * kMinute, 1);
  EXPECT_TRUE(engine().evaluate(kT0 + 2 * kMinute).empty());
  EXPECT_TRUE(engine().evaluate(kT0 + 4 * kMinute).empty());  // silent: pending
  EXPECT_EQ(kinds(engine().evaluate(kT0 + 6 * kMinute)), (std::vector<AlertEventKind>{AlertEventKind::fired}));
  feed("beat", kT0 + 7 * kMinute, kT0 + 7 * kMinute, 1);
  EXPECT_EQ(kinds(engine().evaluate(kT0 + 7 * kMinute)), (std::vector<AlertEventKind>{AlertEventKind::resolved}));
}

TEST_F(AlertEngineTest, AnAnomalyAgainstTheBaselineFires) {
  rules().add({.name = "spike", .series = "lat", .window = 1min, .condition = AlertCondition::anomalous,
               .baseline = 60min, .method = ts::AnomalyMethod::mad, .sensitivity = 4});
  for (Timestamp t = kT0; t < kT0 + 60 * kMinute; t += kMinute) {
    store().add("lat", t, 100 + static_cast<double>((t / kMinute) % 5));  // 100..104
  }
  store().add("lat", kT0 + 60 * kMinute, 103);
  EXPECT_TRUE(engine().evaluate(kT0 + 60 * kMinute).empty());
  store().add("lat", kT0 + 61 * kMinute, 180);
  const auto fired = engine().evaluate(kT0 + 61 * kMinute);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].transition.value, 180);
}

// "p99 latency above 500 ms": one slow request in a hundred is not enough
// to move the average, but it is the window's p99.
TEST_F(AlertEngineTest, APercentileRuleFiresOnTheTailTheAverageHides) {
  const AlertRule rule{.name = "slow-tail", .series = "req", .window = 1min, .aggregator = ts::Aggregator::percentile,
                       .quantile = 0.99, .threshold = 500};
  rules().add(rule);
  EXPECT_EQ(rules().get("slow-tail"), rule);  // the quantile reads back the same
  // A minute of 100 requests (one every 600 ms) at 50 ms.
  for (int i = 0; i < 100; ++i) store().add("req", kT0 + i * 600, 50);
  EXPECT_TRUE(engine().evaluate(kT0 + kMinute - 1).empty());
  // The next minute, 3 of the 100 at 2 s: the average is 108.5 ms, the
  // p99 (rank 98.01 of 100) 2,000 ms.
  for (int i = 0; i < 100; ++i) store().add("req", kT0 + kMinute + i * 600, i % 33 == 5 ? 2000 : 50);
  const auto fired = engine().evaluate(kT0 + 2 * kMinute - 1);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].transition.value, 2000);
  AlertRule bad = rule;
  bad.name = "bad";
  bad.quantile = 1.5;
  EXPECT_THROW(rules().add(bad), InvalidArgument);
}

// Evaluators racing on the same instant record each transition once: every
// round, exactly one of them gets the notification, whichever it is.
TEST_F(AlertEngineTest, RacingEvaluatorsNotifyEachTransitionOnce) {
  rules().add({.name = "flip", .series = "flip", .window = 1min, .threshold = 0.5});
  constexpr int kRounds = 40;
  constexpr int kEvaluators = 3;
  for (int round = 0; round < kRounds; ++round) {
    const Timestamp now = kT0 + round * kMinute;
    store().add("flip", now, round % 2 == 0 ? 1.0 : 0.0);  // fires, resolves, fires, ...
    std::atomic<int> notified{0};
    std::vector<std::thread> evaluators;
    for (int e = 0; e < kEvaluators; ++e) {
      evaluators.emplace_back([&] {
        ts::AlertEngine own(Client(redis().url()), ts::AlertRulesOptions{.prefix = prefix()});
        notified += static_cast<int>(own.evaluate(now).size());
      });
    }
    for (auto& thread : evaluators) thread.join();
    EXPECT_EQ(notified.load(), 1) << "round " << round;
  }
  // Read back: every round's one transition, newest first.
  const auto history = engine().history(std::nullopt, 1'000);
  ASSERT_EQ(history.size(), static_cast<std::size_t>(kRounds));
  for (int round = 0; round < kRounds; ++round) {
    const auto& entry = history[static_cast<std::size_t>(kRounds - 1 - round)];
    EXPECT_EQ(entry.at, kT0 + round * kMinute);
    EXPECT_EQ(entry.event, round % 2 == 0 ? AlertEventKind::fired : AlertEventKind::resolved);
  }
}

}  // namespace
}  // namespace redkit::test
