// redkit/ts_alert_watcher.hpp — evaluating the stored alert rules on a
// schedule and delivering their notifications, in one process or spread
// over several (what `redkit ts watch` runs).
//
//   redkit::ts::AlertWatcher watcher(client, {
//       .interval = std::chrono::seconds(10),
//       .sinks = {redkit::ts::alertmanager_sink({.url = "http://127.0.0.1:9093"})}});
//   std::jthread thread([&] { watcher.run(); });
//   ...
//   watcher.stop();
//
// Guarantees, with any number of watchers on the same rules (the same
// prefix):
//   - Each transition of an alert instance is recorded once (AlertEngine),
//     and delivered to each sink by one watcher that has the sink.
//   - The rules are spread over the live watchers (each holds a lease on
//     its share); the rules of a watcher that dies are taken over within
//     one interval plus the lease time.
//   - A sink that fails or hangs delays only itself: each sink has its own
//     delivery thread, retries with backoff, and counts its failures.
//   - A lost connection (a Redis restart) is reported through on_error and
//     the watcher carries on once Redis answers again.
//   - A notification is delivered twice only if its watcher dies between
//     the sink accepting it and the acknowledgement (at least once).
//
// Thread-safety: run() on one thread; stop() from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "redkit/client.hpp"
#include "redkit/ts_alert_sinks.hpp"
#include "redkit/ts_alerts.hpp"

namespace redkit::ts {

struct AlertDeliveryOptions {
  // The wait before the first retry of a failed delivery; it doubles with
  // each failure up to max_retry (itself at most a third of the lease).
  std::chrono::milliseconds first_retry{1'000};
  std::chrono::milliseconds max_retry{10'000};
  // A notification still undelivered this long after it was recorded is
  // dropped (and counted).
  std::chrono::milliseconds give_up_after{std::chrono::hours(1)};
};

struct AlertWatcherOptions {
  AlertRulesOptions rules{};
  // Time between evaluation rounds.
  std::chrono::milliseconds interval{10'000};
  // How long a watcher's hold on its rules (and on the notifications it is
  // delivering) outlives its last renewal: a dead watcher's work moves to
  // the others after this. More than the interval, and more than any
  // sink's timeout.
  std::chrono::milliseconds lease{30'000};
  std::vector<std::shared_ptr<AlertSink>> sinks{};
  AlertDeliveryOptions delivery{};
  // Names this watcher among the others; empty: host, pid and a random part.
  std::string id{};
  // Told what went wrong in a round or a delivery (the watcher goes on).
  // Called from the watcher's threads.
  std::function<void(std::string_view)> on_error{};
};

// What a sink's deliveries came to, over every watcher.
struct AlertSinkStats {
  std::string sink{};
  unsigned long long delivered = 0;
  unsigned long long failed_attempts = 0;
  unsigned long long dropped = 0;
  // Read by a watcher and not yet delivered.
  unsigned long long pending = 0;
  std::string last_error{};
  Timestamp last_error_at = 0;
};

class AlertWatcher {
 public:
  // Throws InvalidArgument naming an interval or lease that is not
  // positive, a lease not longer than the interval or not more than twice a
  // sink's timeout, or two sinks with the same name.
  AlertWatcher(Client client, AlertWatcherOptions options);
  // Stops and waits for run() to return.
  ~AlertWatcher();
  AlertWatcher(const AlertWatcher&) = delete;
  AlertWatcher& operator=(const AlertWatcher&) = delete;

  // Evaluates this watcher's share of the rules every interval and delivers
  // notifications until stop(); then gives its leases up so that the
  // others take over at once. Returns after its threads have ended. Throws
  // Error when run() is already under way.
  void run();
  // Ends run(): it returns within about half a second, or once a delivery
  // in progress ends (at most a sink's timeout). Safe to call at any time,
  // from any thread, and more than once.
  void stop() noexcept;

  const std::string& id() const noexcept;

  // Every sink's counters, for every sink any watcher has delivered to.
  static std::vector<AlertSinkStats> sink_stats(const Client& client, const AlertRulesOptions& options = {});
  // The ids of the watchers alive now.
  static std::vector<std::string> live_watchers(const Client& client, const AlertRulesOptions& options = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace redkit::ts
