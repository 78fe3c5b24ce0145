// Delivering recorded notifications to one sink, at least once, from any
// watcher: the history stream is the outbox, and each sink reads it through
// a consumer group of its own ("sink:<name>") shared by every watcher that
// has the sink. So:
//   - a notification recorded by one watcher may be delivered by another;
//   - each attempt first re-claims the entry, and only if this watcher
//     still holds it (lua/alert_sink_claim.lua): an entry another watcher
//     took over is never attempted by both;
//   - one that failed stays pending and is retried with backoff (capped
//     below a third of the lease), each retry re-claiming it, so no other
//     watcher takes it while its holder lives;
//   - one held by a watcher that died is claimed by another after the lease
//     time (XAUTOCLAIM);
//   - one older than give_up_after, or that cannot be read, is dropped and
//     counted, as is one trimmed from the stream while pending.
// Counters per sink live in <prefix>{alert}:sinks (delivered, failed
// attempts, dropped, last error).
//
// A notification is delivered twice only if its watcher dies (or stalls
// past the lease) between the sink accepting it and the acknowledgement.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/thread_annotations.hpp"
#include "redkit/ts_alert_sinks.hpp"
#include "redkit/ts_alert_watcher.hpp"

namespace redkit::alert {

class SinkDelivery {
 public:
  // `stopping` is read between attempts, so that a stop is not held up by
  // a long backlog.
  SinkDelivery(Client client, const ts::AlertWatcherOptions& options, std::shared_ptr<ts::AlertSink> sink,
               std::string watcher, const std::atomic<bool>& stopping);

  // Creates the sink's consumer group at the end of the stream if it does
  // not exist: a sink added to a watcher starts with what is recorded from
  // now on, not with the whole history.
  void ensure_group();

  // One pass: acknowledgements that failed before, retries that are due,
  // notifications of dead watchers, the latest firing snapshot for
  // refresh(), and new notifications (waiting at most `wait` for one).
  // Throws on Redis errors; the caller reports and goes on.
  void pass(std::chrono::milliseconds wait);

  // Hands the alerts firing after a round to the sink's refresh() on the
  // delivery thread (a slow sink must not hold up evaluation); nothing for
  // a sink that does not refresh. Only the latest snapshot is kept.
  void offer_firing(std::vector<ts::AlertNotification> firing) EXCLUDES(firing_mutex_);

  // When stopping: leaves the group if nothing is pending for this watcher,
  // so consumers do not pile up over restarts. Never throws.
  void leave() noexcept;

  const std::string& group() const noexcept { return group_; }

 private:
  struct Retry {
    int attempts = 0;
    std::chrono::steady_clock::time_point next{};
  };

  void take_and_attempt(const std::string& id);
  void attempt(const std::string& id, const ReplyArray& fields);
  void acknowledge(const std::string& id);
  void drop(const std::string& id, const std::string& why);
  void retry_acknowledgements();
  void retry_due();
  void claim_abandoned();
  void read_new(std::chrono::milliseconds wait);
  void refresh_firing() EXCLUDES(firing_mutex_);
  std::vector<ts::AlertNotification> still_firing(std::vector<ts::AlertNotification> firing);
  void count(std::string_view what, long long by = 1);
  void record_failure(const std::string& id, const std::string& error);
  void recreate_group();
  std::chrono::milliseconds backoff(int attempts) const;

  Client client_;
  ts::AlertWatcherOptions options_;
  std::shared_ptr<ts::AlertSink> sink_;
  std::string watcher_;
  const std::atomic<bool>& stopping_;
  std::string stream_;
  std::string stats_;
  std::string group_;
  std::map<std::string, Retry> retries_;
  // Delivered, but the acknowledgement failed: acknowledged again, never
  // delivered again.
  std::set<std::string> unacknowledged_;
  // The newest entry handled: where the group starts again if it vanishes.
  std::string last_id_;
  std::chrono::steady_clock::time_point next_claim_{};
  detail::Mutex firing_mutex_;
  std::optional<std::vector<ts::AlertNotification>> firing_ GUARDED_BY(firing_mutex_);
};

}  // namespace redkit::alert
