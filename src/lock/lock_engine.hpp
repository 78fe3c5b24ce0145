// LockEngine: what a LockService shares with its Lock handles — the client,
// the renewal scheduler, the release waiters — and the acquire / release /
// extend operations on a LockState. Lock and LockService are thin faces on it.
//
// Thread-safety: all members may be called from any thread; a LockState is
// driven by one owner thread plus the scheduler.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lock/lock_state.hpp"
#include "lock/metrics_recorder.hpp"
#include "lock/release_waiters.hpp"
#include "lock/renewal_scheduler.hpp"
#include "redkit/client.hpp"
#include "redkit/lock.hpp"
#include "redkit/lock_service.hpp"
#include "redkit/multi_lock.hpp"

namespace redkit::detail {

// Throws InvalidArgument naming `what` when value exceeds kMaxLockDuration.
void check_at_most_max(std::string_view what, std::chrono::milliseconds value);

class LockEngine : public std::enable_shared_from_this<LockEngine> {
 public:
  LockEngine(Client client, LockServiceOptions options);

  // A handle of the given kind; validates name and options.
  Lock make(const LockKind& kind, std::string name, LockOptions options);
  std::shared_ptr<LockState> make_state(const LockKind& kind, std::string name, LockOptions options);
  // Exclusive locks on every name (sorted, deduplicated), taken together.
  MultiLock make_multi(std::vector<std::string> names, LockOptions options);

  // One attempt with `token`; true if acquired. Fills `holder_pttl` with the
  // time until a holder's lease ends when the lock is not free (-1: unknown).
  bool try_acquire(const std::shared_ptr<LockState>& state, const std::string& token,
                   std::chrono::milliseconds* holder_pttl = nullptr, bool waited = false);
  // Attempts until acquired or the wait has passed; a negative wait waits
  // forever.
  bool acquire(const std::shared_ptr<LockState>& state, std::chrono::milliseconds wait);
  LockOutcome release(LockState& state);

  // All-or-nothing over several states, one round trip per attempt; see
  // redkit/multi_lock.hpp. A negative wait waits forever.
  bool acquire_all(const std::vector<std::shared_ptr<LockState>>& states, std::chrono::milliseconds wait);
  std::vector<LockOutcome> release_all(const std::vector<std::shared_ptr<LockState>>& states);
  LockOutcome extend(const std::shared_ptr<LockState>& state, std::chrono::milliseconds ttl);

  void shutdown() noexcept;

  const Client& client() const noexcept { return client_; }
  const LockServiceOptions& options() const noexcept { return options_; }
  RenewalScheduler& scheduler() noexcept { return scheduler_; }
  MetricsRecorder& metrics() noexcept { return metrics_; }

 private:
  void abandon(const LockState& state, const std::string& token) noexcept;
  // Throws DeadlockError if this thread's wait closes a cycle of waits and is
  // its youngest.
  void check_for_deadlock(const LockState& state, const std::string& token);
  // Records a successful acquisition and schedules its renewal.
  void take(const std::shared_ptr<LockState>& state, const std::string& token, const Reply& acquired,
            std::chrono::steady_clock::time_point sent_at);
  // The kind's acquire command's reply; a "MISUSE" error reply throws LockError.
  Reply acquire_reply(const LockState& state, const std::string& token, const LockOwner& owner);
  // A bad reply shape from a kind's script is a bug to surface.
  std::chrono::microseconds handoff_of(const Reply& acquired) const;
  struct AllAttempt {
    bool acquired = false;
    std::size_t busy = 0;  // index of a state that was not free
    std::chrono::milliseconds busy_pttl{-1};
  };
  AllAttempt try_acquire_all(const std::vector<std::shared_ptr<LockState>>& states, const std::string& token);

  Client client_;
  const LockServiceOptions options_;
  MetricsRecorder metrics_;  // before the scheduler, which records into it
  RenewalScheduler scheduler_;
  ReleaseWaiters waiters_;
};

}  // namespace redkit::detail
