// The demo's alerting scenarios (see demo_scenarios.hpp): the seed's
// TimeSeriesAlertManager as a stored rule over a label filter, evaluated by
// a watcher and delivered through Redis PUBLISH, and its AnomalyDetector
// against a day's baseline; each checks its own outcome.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>

#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "common/unix_time.hpp"
#include "demo_scenarios.hpp"
#include "redkit/time_series.hpp"
#include "redkit/ts_alert_watcher.hpp"
#include "redkit/ts_anomalies.hpp"

namespace redkit::cli {
namespace {

using namespace std::chrono_literals;

// Long enough for a watcher round and a delivery on a slow machine.
constexpr auto kNotificationWait = 15s;

void require(bool holds, const std::string& what) {
  if (!holds) throw std::runtime_error(what);
}

ts::Timestamp now_ms() { return detail::unix_ms_now(); }

// The JSON notifications published on a channel, awaited one by one.
class Inbox {
 public:
  void add(std::string_view message) {
    std::lock_guard lock(mutex_);
    messages_.push_back(nlohmann::json::parse(message));
    arrived_.notify_all();
  }
  // The messages once there are n, or throws.
  std::vector<nlohmann::json> wait(std::size_t n) {
    std::unique_lock lock(mutex_);
    if (!arrived_.wait_for(lock, kNotificationWait, [&] { return messages_.size() >= n; })) {
      throw std::runtime_error(fmt::format("alerting: {} notification(s) expected, {} arrived", n, messages_.size()));
    }
    return messages_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<nlohmann::json> messages_;
};

}  // namespace

void show_alerting(Report& report, const redkit::Client& client, const std::string& prefix) {
  ts::Store store(client, {.prefix = prefix, .default_series = {}});
  for (const std::string host : {"db-1", "db-2", "db-3"}) {
    store.create("disk:" + host, {.retention = {}, .duplicate_policy = ts::DuplicatePolicy::last,
                                  .labels = {{"metric", "disk"}, {"host", host}}});
    store.add("disk:" + host, now_ms(), 60);
  }
  ts::AlertRules(client, {.prefix = prefix})
      .add({.name = "disk-full",
            .filters = {"metric=disk"},
            .window = 1min,
            .aggregator = ts::Aggregator::last,
            .threshold = 90,
            .resolve_threshold = 80,
            .labels = {{"severity", "page"}},
            .annotations = {{"summary", "{{series}} is {{value}}% full"}}});
  Inbox inbox;
  const std::string channel = prefix + "alerts";
  auto subscription =
      client.subscriber().subscribe(channel, [&](std::string_view, std::string_view message) { inbox.add(message); });
  // Two watchers on the same rule, as two processes would run: each
  // transition still reaches the channel once.
  auto watcher_options = [&](std::string id) {
    return ts::AlertWatcherOptions{.rules = {.prefix = prefix},
                                   .interval = 50ms,
                                   .lease = 1s,
                                   .sinks = {ts::publish_sink(client, channel)},
                                   .id = std::move(id)};
  };
  ts::AlertWatcher first(client, watcher_options("demo-1"));
  ts::AlertWatcher second(client, watcher_options("demo-2"));
  std::jthread first_thread([&] { first.run(); });
  std::jthread second_thread([&] { second.run(); });

  store.add("disk:db-2", now_ms(), 95);
  const auto fired = inbox.wait(1).at(0);
  // 85 is below the firing line but above the resolving one: an
  // evaluation now (this process's own, beside the watchers') keeps it
  // firing and notifies nothing.
  store.add("disk:db-2", now_ms(), 85);
  const ts::AlertEngine engine(client, {.prefix = prefix});
  require(engine.evaluate_rule("disk-full", now_ms()).empty(), "alerting: 85 must neither fire again nor resolve");
  store.add("disk:db-2", now_ms(), 70);
  const auto resolved = inbox.wait(2).at(1);
  first.stop();
  second.stop();
  first_thread.join();
  second_thread.join();
  const auto all = inbox.wait(2);
  require(all.size() == 2, fmt::format("alerting: {} notifications, expected 2", all.size()));
  require(fired["event"] == "fired" && fired["series"] == "disk:db-2" && fired["value"] == 95.0,
        "alerting: the firing notification is wrong: " + fired.dump());
  require(fired["annotations"]["summary"] == "disk:db-2 is 95% full", "alerting: the annotation was not filled in");
  require(resolved["event"] == "resolved" && resolved["value"] == 70.0,
        "alerting: the resolving notification is wrong: " + resolved.dump());
  const auto history = engine.history("disk-full");
  require(history.size() == 2, "alerting: the history should hold the two transitions");
  report.step("alerts", "alerts",
              fmt::format("rule disk-full over metric=disk (3 series), fire above 90, resolve below 80: disk:db-2 "
                          "fired at 95, held at 85, resolved at 70; two watchers, each transition published once"),
              {{"notifications", all}, {"history", history.size()}});

  // A day of per-minute latency around 120 ms, then a spike.
  std::mt19937_64 random(7);
  std::normal_distribution<double> noise(0, 4);
  const ts::Timestamp day_start = now_ms() - 24 * 3'600'000;
  store.create("latency:api", {.retention = {}, .duplicate_policy = ts::DuplicatePolicy::last,
                               .labels = {{"metric", "latency"}}});
  std::vector<ts::Sample> day;
  for (int minute = 0; minute < 1440; ++minute) {
    day.push_back({day_start + minute * 60'000LL, std::round((120 + noise(random)) * 100) / 100});
  }
  store.add_many("latency:api", day);
  const ts::AnomalyDetector detector(client, {.prefix = prefix});
  const ts::AnomalyQuery query{.series = "latency:api", .baseline = 24h, .sensitivity = 3, .step = 0ms};
  store.add("latency:api", day.back().timestamp + 30'000, 123);
  const auto calm = detector.check(query).at(0);
  store.add("latency:api", day.back().timestamp + 60'000, 190);
  const auto spike = detector.check(query).at(0);
  require(calm.verdict == ts::AnomalyVerdict::normal, "anomalies: 123 ms should be normal");
  require(spike.verdict == ts::AnomalyVerdict::anomalous && spike.score && *spike.score > 3,
        "anomalies: 190 ms should be anomalous");
  report.step("anomaly", "anomaly",
              fmt::format("latency:api against a day's baseline (mean {:.1f}, sd {:.2f}): 123 ms normal, "
                          "190 ms anomalous at z = {:.1f}",
                          spike.centre, spike.spread, *spike.score),
              {{"centre", spike.centre}, {"spread", spike.spread}, {"score", *spike.score},
               {"calm_verdict", ts::to_string(calm.verdict)}, {"spike_verdict", ts::to_string(spike.verdict)}});
}

}  // namespace redkit::cli
