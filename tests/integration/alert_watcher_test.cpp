// AlertWatcher in this process against a real server: one delivery per
// transition with two watchers sharing a sink, rules spread by leases and
// taken over when a watcher stops, failing and hanging sinks retried and
// counted without holding up the others, a dead watcher's pending delivery
// claimed by another, and a Redis restart survived.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "alert/notification_fields.hpp"
#include "redkit/ts_alert_watcher.hpp"
#include "support/error_of.hpp"
#include "support/ts_store_test.hpp"
#include "support/wait_for.hpp"

namespace redkit::test {
namespace {

using namespace std::chrono_literals;
using ts::AlertEventKind;
using ts::AlertNotification;

constexpr auto kWait = 20s;

ts::Timestamp now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What a callback sink received, from any thread.
class Received {
 public:
  void add(const AlertNotification& notification) {
    std::lock_guard lock(mutex_);
    all_.push_back(notification);
  }
  std::vector<AlertNotification> all() {
    std::lock_guard lock(mutex_);
    return all_;
  }
  std::size_t count(AlertEventKind event) {
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(std::count_if(all_.begin(), all_.end(), [&](const AlertNotification& n) {
      return n.transition.event == event;
    }));
  }
  std::shared_ptr<ts::AlertSink> sink(const std::string& name) {
    return ts::callback_sink(name, [this](const AlertNotification& n) { add(n); });
  }

 private:
  std::mutex mutex_;
  std::vector<AlertNotification> all_;
};

// A watcher running on its own thread until the end of the test.
class RunningWatcher {
 public:
  RunningWatcher(const Client& client, ts::AlertWatcherOptions options)
      : watcher_(client, std::move(options)), thread_([this] { watcher_.run(); }) {}
  ~RunningWatcher() { stop(); }
  void stop() {
    watcher_.stop();
    if (thread_.joinable()) thread_.join();
  }
  const std::string& id() const { return watcher_.id(); }

 private:
  ts::AlertWatcher watcher_;
  std::thread thread_;
};

class AlertWatcherTest : public TsStoreTest {
 protected:
  ts::AlertRulesOptions rules_options() { return {.prefix = prefix()}; }
  ts::AlertRules rules() { return ts::AlertRules(client(), rules_options()); }
  ts::AlertWatcherOptions options(std::vector<std::shared_ptr<ts::AlertSink>> sinks, std::string id) {
    // A lease far beyond any stall of a loaded machine, so that no rule or
    // delivery changes hands unless a test stops a watcher on purpose.
    ts::AlertWatcherOptions out{.rules = rules_options(), .interval = 50ms, .lease = 5s, .sinks = std::move(sinks),
                                .id = std::move(id)};
    out.delivery.first_retry = 20ms;
    return out;
  }
  // A rule that fires as soon as the last sample of a series labelled
  // metric=<metric> is above 90, and resolves when it is not.
  void add_rule(const std::string& name, const std::string& metric) {
    rules().add({.name = name, .filters = {"metric=" + metric}, .window = 60s, .aggregator = ts::Aggregator::last,
                 .threshold = 90, .repeat_interval = 0ms});
  }
  void create(const std::string& series, const std::string& metric) {
    store().create(series, {.retention = {}, .duplicate_policy = ts::DuplicatePolicy::last,
                            .labels = {{"metric", metric}}});
  }
  std::vector<ts::AlertSinkStats> stats() { return ts::AlertWatcher::sink_stats(client(), rules_options()); }
  ts::AlertSinkStats stats_of(const std::string& sink) {
    for (const auto& s : stats()) {
      if (s.sink == sink) return s;
    }
    return {};
  }
  std::string lease_owner(const std::string& rule) {
    return client().command({"GET", prefix() + "{alert}:lease:" + rule}).as_optional_string().value_or("");
  }
};

TEST_F(AlertWatcherTest, TwoWatchersSharingASinkDeliverEachTransitionOnce) {
  for (const std::string host : {"a", "b", "c"}) create("cpu:" + host, "cpu");
  add_rule("cpu-high", "cpu");
  Received received;
  {
    RunningWatcher first(client(), options({received.sink("collect")}, "first"));
    RunningWatcher second(client(), options({received.sink("collect")}, "second"));
    for (const std::string host : {"a", "b", "c"}) store().add("cpu:" + host, now_ms(), 95);
    ASSERT_TRUE(wait_for([&] { return received.count(AlertEventKind::fired) == 3; }, kWait));
    for (const std::string host : {"a", "b", "c"}) store().add("cpu:" + host, now_ms(), 10);
    ASSERT_TRUE(wait_for([&] { return received.count(AlertEventKind::resolved) == 3; }, kWait));
  }
  // Both watchers have stopped: nothing more can arrive.
  std::map<std::pair<std::string, AlertEventKind>, int> per_transition;
  for (const auto& n : received.all()) ++per_transition[{n.transition.series, n.transition.event}];
  EXPECT_EQ(per_transition.size(), 6u);
  for (const auto& [transition, count] : per_transition) EXPECT_EQ(count, 1) << transition.first;
  const auto collect = stats_of("collect");
  EXPECT_EQ(collect.delivered, 6u);
  EXPECT_EQ(collect.pending, 0u);
  EXPECT_EQ(collect.failed_attempts, 0u);
  const auto fired = received.all().front();
  EXPECT_EQ(fired.labels.at("alertname"), "cpu-high");
  EXPECT_EQ(fired.labels.at("metric"), "cpu");
  EXPECT_EQ(fired.transition.value, 95);
}

// Records what refresh() is handed after each round.
class RefreshRecorder final : public ts::AlertSink {
 public:
  std::string name() const override { return "refresh-recorder"; }
  bool refreshes() const override { return true; }
  void deliver(const AlertNotification&) override {}
  void refresh(const std::vector<AlertNotification>& firing) override {
    std::lock_guard lock(mutex_);
    last_ = firing.size();
    ++calls_;
  }
  std::pair<std::size_t, int> seen() {
    std::lock_guard lock(mutex_);
    return {last_, calls_};
  }

 private:
  std::mutex mutex_;
  std::size_t last_ = 0;
  int calls_ = 0;
};

TEST_F(AlertWatcherTest, RefreshIsHandedTheAlertsFiringNowAndNoneOnceResolved) {
  for (const std::string host : {"a", "b"}) create("cpu:" + host, "cpu");
  add_rule("cpu-high", "cpu");
  auto recorder = std::make_shared<RefreshRecorder>();
  RunningWatcher watcher(client(), options({recorder}, "only"));
  for (const std::string host : {"a", "b"}) store().add("cpu:" + host, now_ms(), 95);
  ASSERT_TRUE(wait_for([&] { return recorder->seen().first == 2; }, kWait));
  for (const std::string host : {"a", "b"}) store().add("cpu:" + host, now_ms(), 10);
  // A snapshot handed over later than the resolution is checked against
  // the stored state, so the refresh sees nothing firing.
  ASSERT_TRUE(wait_for([&] { return recorder->seen().first == 0; }, kWait));
  const int calls = recorder->seen().second;
  ASSERT_TRUE(wait_for([&] { return recorder->seen().second > calls + 2; }, kWait));
  EXPECT_EQ(recorder->seen().first, 0u);
}

TEST_F(AlertWatcherTest, RulesAreSpreadOverWatchersAndTakenOverWhenOneStops) {
  for (const std::string rule : {"r1", "r2", "r3", "r4"}) add_rule(rule, rule);
  Received received;
  auto first = std::make_unique<RunningWatcher>(client(), options({received.sink("collect")}, "first"));
  RunningWatcher second(client(), options({received.sink("collect")}, "second"));
  auto held_by = [&](const std::string& id) {
    int held = 0;
    for (const std::string rule : {"r1", "r2", "r3", "r4"}) held += lease_owner(rule) == id ? 1 : 0;
    return held;
  };
  ASSERT_TRUE(wait_for([&] { return held_by("first") == 2 && held_by("second") == 2; }, kWait))
      << held_by("first") << " " << held_by("second");
  EXPECT_EQ(ts::AlertWatcher::live_watchers(client(), rules_options()).size(), 2u);
  // A watcher that stops gives its rules up; the other takes them all.
  first->stop();
  ASSERT_TRUE(wait_for([&] { return held_by("second") == 4; }, kWait));
  EXPECT_EQ(ts::AlertWatcher::live_watchers(client(), rules_options()), std::vector<std::string>{"second"});
  first.reset();
}

TEST_F(AlertWatcherTest, FailingAndHangingSinksAreRetriedAndCountedWithoutHoldingUpTheOthers) {
  create("cpu:a", "cpu");
  add_rule("cpu-high", "cpu");
  Received good;
  Received flaky_received;
  std::atomic<int> flaky_calls{0};
  auto flaky = ts::callback_sink("flaky", [&](const AlertNotification& n) {
    if (++flaky_calls <= 2) throw Error("receiver refused");
    flaky_received.add(n);
  });
  // Never reads its input and never exits: killed at each timeout.
  auto hanging = ts::exec_sink({.command = {"sleep", "600"}, .timeout = 100ms});
  RunningWatcher watcher(client(), options({hanging, flaky, good.sink("good")}, "only"));
  store().add("cpu:a", now_ms(), 95);
  ASSERT_TRUE(wait_for([&] { return good.count(AlertEventKind::fired) == 1; }, kWait));
  ASSERT_TRUE(wait_for([&] { return flaky_received.count(AlertEventKind::fired) == 1; }, kWait));
  ASSERT_TRUE(wait_for([&] { return stats_of(hanging->name()).failed_attempts >= 2; }, kWait));
  // Evaluation went on meanwhile: the resolution reaches the good sink.
  store().add("cpu:a", now_ms(), 10);
  ASSERT_TRUE(wait_for([&] { return good.count(AlertEventKind::resolved) == 1; }, kWait));
  watcher.stop();
  const auto flaky_stats = stats_of("flaky");
  EXPECT_EQ(flaky_stats.failed_attempts, 2u);
  EXPECT_EQ(flaky_stats.dropped, 0u);
  EXPECT_NE(flaky_stats.last_error.find("receiver refused"), std::string::npos) << flaky_stats.last_error;
  const auto hanging_stats = stats_of(hanging->name());
  EXPECT_EQ(hanging_stats.delivered, 0u);
  EXPECT_GE(hanging_stats.pending, 1u);
  EXPECT_NE(hanging_stats.last_error.find("was killed"), std::string::npos) << hanging_stats.last_error;
  EXPECT_EQ(stats_of("good").delivered, 2u);
}

TEST_F(AlertWatcherTest, ANotificationGivenUpAfterItsTimeIsDroppedAndCounted) {
  create("cpu:a", "cpu");
  add_rule("cpu-high", "cpu");
  auto failing = ts::callback_sink("failing", [](const AlertNotification&) { throw Error("always down"); });
  auto watcher_options = options({failing}, "only");
  watcher_options.delivery.give_up_after = 1ms;
  RunningWatcher watcher(client(), watcher_options);
  store().add("cpu:a", now_ms(), 95);
  ASSERT_TRUE(wait_for([&] { return stats_of("failing").dropped == 1; }, kWait));
  watcher.stop();
  EXPECT_EQ(stats_of("failing").pending, 0u);
}

TEST_F(AlertWatcherTest, ADeadWatchersPendingNotificationIsDeliveredByAnother) {
  // A watcher that read a notification and died before delivering it: the
  // entry sits in the sink's group, pending for a consumer that is gone.
  const std::string stream = prefix() + "{alert}:history";
  client().command({"XGROUP", "CREATE", stream, "sink:collect", "$", "MKSTREAM"});
  const AlertNotification orphan{
      .transition = {.rule = "cpu-high", .series = "cpu:a", .event = AlertEventKind::fired, .at = now_ms(),
                     .value = 95, .active_since = now_ms()},
      .labels = {{"alertname", "cpu-high"}},
      .annotations = {}};
  Command add("XADD");
  add.key(stream).arg("*");
  for (const std::string& field : alert::notification_fields(orphan)) add.arg(field);
  client().command(add);
  const Reply read = client().command({"XREADGROUP", "GROUP", "sink:collect", "dead", "STREAMS", stream, ">"});
  ASSERT_FALSE(read.is_nil());
  Received received;
  // The dead watcher's claim ends with this (short) lease.
  auto alive = options({received.sink("collect")}, "alive");
  alive.lease = 600ms;
  RunningWatcher watcher(client(), alive);
  ASSERT_TRUE(wait_for([&] { return received.all().size() == 1; }, kWait));
  watcher.stop();
  EXPECT_EQ(received.all().front(), orphan);
  EXPECT_EQ(stats_of("collect").pending, 0u);
}

TEST_F(AlertWatcherTest, CarriesOnAcrossARedisRestart) {
  Received received;
  RunningWatcher watcher(client(), options({received.sink("collect")}, "only"));
  create("cpu:a", "cpu");
  add_rule("cpu-high", "cpu");
  store().add("cpu:a", now_ms(), 95);
  ASSERT_TRUE(wait_for([&] { return received.count(AlertEventKind::fired) == 1; }, kWait));
  // The server comes back empty (no persistence): rules, series, the
  // stream and its groups are gone, and the watcher must notice and go on.
  redis().restart();
  create("cpu:a", "cpu");
  add_rule("cpu-high", "cpu");
  store().add("cpu:a", now_ms(), 96);
  ASSERT_TRUE(wait_for([&] { return received.count(AlertEventKind::fired) == 2; }, kWait));
  watcher.stop();
  EXPECT_EQ(received.all().back().transition.value, 96);
}

TEST_F(AlertWatcherTest, RefusesOptionsThatCannotWork) {
  Received received;
  EXPECT_EQ(error_of<InvalidArgument>([&] { ts::AlertWatcher(client(), {.interval = 0ms}); }),
            "alert watcher: interval 0 ms is not positive");
  EXPECT_EQ(error_of<InvalidArgument>([&] { ts::AlertWatcher(client(), {.interval = 10s, .lease = 10s}); }),
            "alert watcher: lease 10000 ms must be longer than the interval (10000 ms)");
  EXPECT_EQ(error_of<InvalidArgument>([&] {
              ts::AlertWatcher(client(), {.sinks = {received.sink("same"), received.sink("same")}});
            }),
            "alert watcher: two sinks are named 'same'");
  EXPECT_EQ(error_of<InvalidArgument>([&] {
              ts::AlertWatcher(client(), {.interval = 1s,
                                          .lease = 10s,
                                          .sinks = {ts::exec_sink({.command = {"true"}, .timeout = 5s})}});
            }),
            "alert watcher: lease 10000 ms must be more than twice the timeout of sink 'exec:true' (5000 ms)");
}

}  // namespace
}  // namespace redkit::test
