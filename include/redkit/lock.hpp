// redkit/lock.hpp — a distributed mutual-exclusion lock on Redis.
//
// A Lock is the handle of one named lock, made by a LockService. Acquiring it
// stores a 128-bit random token with a time-to-live in one script, which also
// increments the lock's fencing counter and returns it: pass the fencing token
// to the resource you protect so it can reject a holder whose lock expired
// (after a long GC pause, say) — the only protection that survives every
// timing fault. While held, the service's renewal scheduler extends the lock;
// if a renewal fails or the server stays unreachable past the lock's validity,
// the lock is marked lost, stop_token() is triggered and on_lost runs.
//
//   redkit::LockService locks(client);
//   redkit::Lock job = locks.make("nightly-report", {.ttl = std::chrono::seconds(30)});
//   if (job.try_lock_for(std::chrono::seconds(10))) {
//     write_report(job.fence(), job.stop_token());
//     job.unlock();
//   }
//
// Lock meets the standard TimedLockable requirements, so std::unique_lock and
// std::scoped_lock work with it; unlock() never throws (a release that cannot
// reach the server leaves the lock to expire by its TTL).
//
// Thread-safety: one Lock is used by one thread at a time (like std::mutex's
// owner); distinct Lock objects, even for the same name, are independent
// contenders. The lost-lock callback runs on the service's scheduler thread.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>

namespace redkit {

// Increases with every acquisition of one lock name, across holders, expiries
// and (with persistence) server restarts.
struct FencingToken {
  std::uint64_t value = 0;
  friend auto operator<=>(const FencingToken&, const FencingToken&) = default;
};

// The longest TTL, wait, timeout or delay any lock option or call takes:
// ten years. Longer values are refused with InvalidArgument before anything
// is sent (they would overflow the clocks validity is tracked on, and the
// server's expiry arithmetic).
inline constexpr std::chrono::milliseconds kMaxLockDuration{10LL * 365 * 24 * 3600 * 1000};

// What a release or an extension found on the server.
enum class LockOutcome {
  done,       // released / extended
  not_owner,  // our lock expired and another owner holds it now
  expired,    // our lock expired and nobody holds it
};
const char* to_string(LockOutcome outcome) noexcept;

// How a waiting acquisition retries when the lock is held. Besides these
// retries, a waiter is woken through pub/sub the moment the holder releases,
// and retries when the holder's TTL ends; the backoff only bounds how long a
// missed wake-up can cost.
struct RetryPolicy {
  // Sleep before retry k is uniform in [0, min(max_delay, base_delay * 2^k)]
  // ("full jitter"), so waiters that lost a race do not retry in lockstep.
  std::chrono::milliseconds base_delay{10};
  std::chrono::milliseconds max_delay{1000};
  // Attempts before try_lock_for gives up even if the wait has time left;
  // 0 = no limit. lock() waits as long as it takes whatever this says: it
  // returns holding the lock or throws. Between two attempts a waiter pauses
  // at least 1 ms, whatever the delays.
  int max_attempts = 0;
};

struct LockOptions {
  // Time-to-live of the lock on the server. Renewal keeps a held lock alive;
  // the TTL bounds how long a crashed holder blocks others. Must be > 0 and
  // at most kMaxLockDuration (as must every duration here).
  std::chrono::milliseconds ttl{30'000};
  // Renew automatically (at ttl / 3) while held.
  bool auto_renew = true;
  // Free-form label shown in the registry next to host and pid ("billing
  // worker 3"). Empty: the service's default label.
  std::string owner_label{};
  RetryPolicy retry{};
  // Runs once, on the scheduler thread, when the lock is found lost. Must not
  // block; the work it protects should watch stop_token() and stop.
  std::function<void()> on_lost{};
  // Replica acknowledgement, off by default (0). When > 0, each acquisition
  // sends WAIT replica_acks replica_ack_timeout right after its script, on
  // the same connection and in the same round trip, so it returns once that
  // many replicas of the server have the lock's write. If fewer acknowledge
  // within replica_ack_timeout (> 0 required), the lock is released again and
  // the acquisition throws LockError naming the required and acknowledged
  // counts. Renewals and releases do not wait. An attempt that finds the
  // lock taken also waits for the replicas (normally at once: it wrote
  // nothing new), but up to the timeout when they are behind or down.
  //
  // This is NOT consensus: WAIT makes losing the lock on a failover less
  // likely, not impossible — the promoted replica may not be one that
  // acknowledged, and the write can still be lost if the master restarts
  // without persistence. The fencing token is what protects the resource;
  // for a lock that survives a master's loss, see redkit/redlock.hpp.
  // Not supported by MultiLock (make_multi refuses it).
  int replica_acks = 0;
  std::chrono::milliseconds replica_ack_timeout{1000};
};

namespace detail {
struct LockState;
class LockEngine;
}  // namespace detail

class Lock {
 public:
  Lock(Lock&&) noexcept;
  Lock& operator=(Lock&&) noexcept;
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;
  // Releases the lock if held; never throws.
  ~Lock();

  // One attempt. True if acquired. Throws ConnectionError/TimeoutError when
  // the server cannot be asked, LockError if already held by this handle.
  bool try_lock();
  // Attempts until acquired or wait has passed (wait 0 = one attempt).
  // Throws InvalidArgument for a wait above kMaxLockDuration.
  bool try_lock_for(std::chrono::milliseconds wait);
  template <typename Rep, typename Period>
  bool try_lock_for(std::chrono::duration<Rep, Period> wait) {
    return try_lock_for(std::chrono::ceil<std::chrono::milliseconds>(wait));
  }
  template <typename Clock, typename Duration>
  bool try_lock_until(std::chrono::time_point<Clock, Duration> deadline) {
    return try_lock_for(std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()));
  }
  // Waits as long as it takes (RetryPolicy::max_attempts does not apply):
  // returns holding the lock, or throws.
  void lock();

  // Releases and reports what the server found. Safe to call again after a
  // lost reply (a repeated release of the same token answers done). Throws
  // ConnectionError when the server cannot be asked.
  LockOutcome release();
  // release() for std::unique_lock & co: never throws.
  void unlock() noexcept;
  // Sets the TTL to ttl from now if still held; renewals keep this lease
  // from then on (at a third of it). Throws InvalidArgument for ttl <= 0 or
  // above kMaxLockDuration.
  LockOutcome extend(std::chrono::milliseconds ttl);

  // True while acquired, not released, not known to be lost and within its
  // validity (a lease that ran out unrenewed is not held).
  bool held() const noexcept;
  bool lost() const noexcept;
  // The fencing token of the current (or last) acquisition.
  FencingToken fence() const;
  // Triggered when the lock is lost (not when it is released normally).
  std::stop_token stop_token() const;
  // Time left before the lock expires unless renewed, from this process's
  // monotonic clock and measured from before the acquire request was sent;
  // zero when not held.
  std::chrono::milliseconds validity() const;
  const std::string& name() const noexcept;

 private:
  friend class detail::LockEngine;
  explicit Lock(std::shared_ptr<detail::LockState> state);
  std::shared_ptr<detail::LockState> state_;
};

}  // namespace redkit
