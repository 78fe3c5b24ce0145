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

#include "lock/lock_state.hpp"
#include "lock/release_waiters.hpp"
#include "lock/renewal_scheduler.hpp"
#include "redkit/client.hpp"
#include "redkit/lock.hpp"
#include "redkit/lock_service.hpp"

namespace redkit::detail {

class LockEngine : public std::enable_shared_from_this<LockEngine> {
 public:
  LockEngine(Client client, LockServiceOptions options);

  // A handle of the given kind; validates name and options.
  Lock make(const LockKind& kind, std::string name, LockOptions options);

  // One attempt with `token`; true if acquired. Fills `holder_pttl` with the
  // time until a holder's lease ends when the lock is not free (-1: unknown).
  bool try_acquire(const std::shared_ptr<LockState>& state, const std::string& token,
                   std::chrono::milliseconds* holder_pttl = nullptr);
  // Attempts until acquired or the wait has passed; a negative wait waits
  // forever.
  bool acquire(const std::shared_ptr<LockState>& state, std::chrono::milliseconds wait);
  LockOutcome release(LockState& state);
  LockOutcome extend(const std::shared_ptr<LockState>& state, std::chrono::milliseconds ttl);

  void shutdown() noexcept;

  const Client& client() const noexcept { return client_; }
  const LockServiceOptions& options() const noexcept { return options_; }
  RenewalScheduler& scheduler() noexcept { return scheduler_; }

 private:
  void abandon(const LockState& state, const std::string& token) noexcept;

  Client client_;
  const LockServiceOptions options_;
  RenewalScheduler scheduler_;
  ReleaseWaiters waiters_;
};

}  // namespace redkit::detail
