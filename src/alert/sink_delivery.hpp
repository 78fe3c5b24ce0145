// Delivering recorded notifications to one sink, at least once, from any
// watcher: the history stream is the outbox, and each sink reads it through
// a consumer group of its own ("sink:<name>") shared by every watcher that
// has the sink. So:
//   - a notification recorded by one watcher may be delivered by another;
//   - one that failed stays pending and is retried with backoff (capped
//     below a third of the lease time, each retry re-claiming it), so no
//     other watcher takes it while its holder lives;
//   - one held by a watcher that died is claimed by another after the lease
//     time (XAUTOCLAIM);
//   - one that still fails after give_up_after is dropped, and counted.
// Counters per sink live in <prefix>{alert}:sinks (delivered, failed
// attempts, dropped, last error).
//
// A notification is delivered twice only if its watcher dies between the
// sink accepting it and the acknowledgement.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/thread_annotations.hpp"
#include "redkit/ts_alert_sinks.hpp"
#include "redkit/ts_alert_watcher.hpp"

namespace redkit::alert {

class SinkDelivery {
 public:
  SinkDelivery(Client client, const ts::AlertWatcherOptions& options, std::shared_ptr<ts::AlertSink> sink,
               std::string watcher);

  // Creates the sink's consumer group if it does not exist, reading from
  // `from`: "$" (the end) when a watcher starts, so a sink added to it
  // starts with what is recorded from now on, not with the whole history;
  // "0" when the group vanished while the watcher ran (Redis restarted
  // without its data), since all of a stream made since then is new.
  void ensure_group(std::string_view from = "$");

  // One pass: retries that are due, notifications of dead watchers, new
  // ones (waiting at most `wait` for one), and the latest firing snapshot
  // for refresh(). Throws on Redis errors; the caller reports and goes on.
  void pass(std::chrono::milliseconds wait);

  // Hands the alerts firing after a round to the sink's refresh() on the
  // delivery thread (a slow sink must not hold up evaluation). Only the
  // latest snapshot is kept.
  void offer_firing(std::vector<ts::AlertNotification> firing) EXCLUDES(firing_mutex_);

  const std::string& group() const noexcept { return group_; }

 private:
  struct Retry {
    int attempts = 0;
    std::chrono::steady_clock::time_point next{};
  };

  void attempt(const std::string& id, const ReplyArray& fields);
  void retry_due();
  void claim_abandoned();
  void read_new(std::chrono::milliseconds wait);
  void refresh_firing() EXCLUDES(firing_mutex_);
  void count(std::string_view what, long long by = 1);
  void record_failure(const std::string& id, const std::string& error);
  std::chrono::milliseconds backoff(int attempts) const;

  Client client_;
  ts::AlertWatcherOptions options_;
  std::shared_ptr<ts::AlertSink> sink_;
  std::string watcher_;
  std::string stream_;
  std::string stats_;
  std::string group_;
  std::map<std::string, Retry> retries_;
  std::chrono::steady_clock::time_point next_claim_{};
  detail::Mutex firing_mutex_;
  std::optional<std::vector<ts::AlertNotification>> firing_ GUARDED_BY(firing_mutex_);
};

}  // namespace redkit::alert
