// redkit/redlock.hpp — a lock over N independent Redis masters (the Redlock
// algorithm): it is held when a majority of the masters granted it within its
// validity, so it survives the loss of a minority of masters, where a lock on
// one master (redkit/lock.hpp) is lost with that master or its failover.
//
//   redkit::Redlock redlock({redkit::Client("redis://a:6379"), redkit::Client("redis://b:6379"),
//                            redkit::Client("redis://c:6379")},
//                           {.ttl = std::chrono::seconds(10)});
//   if (auto lease = redlock.try_lock_for("nightly-report", std::chrono::seconds(5))) {
//     write_report(lease->fence(), lease->validity());   // finish within validity()
//   }   // the lease's destructor releases the lock on every master
//
// How one attempt works: a random token is sent to every master at once (one
// request per master, on a thread of its own, so an attempt costs one round
// trip and a slow master costs at most node_timeout); each master runs the
// exclusive lock's script, so on each master a Redlock looks like an ordinary
// Lock (`redkit lock list` shows it, with the label "redlock" unless
// owner_label says otherwise). The attempt succeeds when at least
// quorum() = N/2 + 1 masters granted it and time is left:
//   validity = ttl - elapsed - drift,  drift = ttl * clock_drift_factor + 2 ms,
// elapsed measured on this process's monotonic clock from before the first
// request was sent. Otherwise the lock is released on every master (also on
// those that did not answer: their grant may only have been late) and, while
// the wait allows, tried again after a random delay.
//
// What Redlock is NOT: consensus. Its safety rests on timing assumptions —
// that the masters' clocks advance at about the same rate (within the drift
// factor), that a master that restarts without persistence stays down for at
// least one TTL before rejoining, and that the holder finishes within
// validity(). A holder paused longer than its validity (GC, swap, a stopped
// VM) can still act after another holder took over. The protection that
// survives those faults is a fencing token checked by the protected resource.
//
// Fencing: there is no single counter across independent masters. Each
// master keeps the exclusive lock's own fencing counter, and fence() is the
// largest of the values the granting masters returned. Right after acquiring,
// the holder raises the counter on every master that granted it to that
// value, so the next holder — whose majority overlaps ours in at least one
// master — receives a larger one. That holds as long as the raise reached the
// overlapping master before our lock ended (it is sent at once, without
// waiting, and is normally done within a round trip) and no master lost its
// counter (restart without persistence). Treat it as a strong hint, and do not
// mix Redlock fences with those of a single-master Lock of the same name.
//
// Why N must be odd: with an even N the majority is N/2 + 1, so N = 4
// tolerates one failed master like N = 3 while costing another master and
// making a split vote possible; an even N is refused (InvalidArgument).
// N = 1 is allowed: one master, with the validity bookkeeping above.
//
// Thread-safety: a Redlock may be used from any number of threads at once;
// one RedlockLease by one thread at a time. A lease keeps what it needs
// alive, so it may outlive the Redlock it came from. Nothing renews a lease by
// itself: call extend() before validity() runs out.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "redkit/client.hpp"
#include "redkit/lock.hpp"

namespace redkit {

struct RedlockOptions {
  // Time-to-live of the lock on each master. Must be > 0 and longer than
  // node_timeout. It bounds how long a crashed holder blocks others.
  std::chrono::milliseconds ttl{30'000};
  // Allowance for the masters' clocks running faster than ours, as a share
  // of the TTL (0.01 = 1%). Must be in [0, 1). 2 ms are always added to it.
  double clock_drift_factor = 0.01;
  // How long one attempt waits for a master's answer. A master that does not
  // answer in time counts as refusing (its late grant is released). Keep it
  // small next to the TTL: validity already lost while waiting is lost for
  // good. Must be > 0. It bounds the attempt, not the master's thread: one
  // stuck opening a connection (up to that Client's connect_timeout) makes
  // later requests to that master wait behind it, and an acquisition still
  // queued when its attempt is decided is dropped unsent.
  std::chrono::milliseconds node_timeout{100};
  // Delay between attempts of a waiting acquisition: uniform in
  // [0, min(max_delay, base_delay * 2^k)] ("full jitter"), so contenders do not
  // split the masters between them in lockstep. max_attempts 0: no limit.
  RetryPolicy retry{.base_delay = std::chrono::milliseconds(50),
                    .max_delay = std::chrono::milliseconds(500),
                    .max_attempts = 0};
  // Shown in the registry of each master. Empty: "redlock".
  std::string owner_label{};
  // Prefix of every key, as LockServiceOptions::prefix; must not be empty.
  std::string prefix = "redkit:";
};

namespace detail {
class RedlockCore;
struct RedlockHold;
}  // namespace detail

// One acquisition of a Redlock. Releases on every master when destroyed.
class RedlockLease {
 public:
  RedlockLease(RedlockLease&&) noexcept;
  RedlockLease& operator=(RedlockLease&&) noexcept;
  RedlockLease(const RedlockLease&) = delete;
  RedlockLease& operator=(const RedlockLease&) = delete;
  // unlock(); never throws.
  ~RedlockLease();

  // Time left of the validity measured at acquisition (or at the last
  // successful extend()), on the monotonic clock; zero once passed or after
  // release. Past it, mutual exclusion is no longer assured.
  std::chrono::milliseconds validity() const;
  // True until release, and while validity() > 0.
  bool held() const;
  // The largest fencing counter of the granting masters (see the header
  // comment for what it does and does not promise).
  FencingToken fence() const;
  // How many masters granted the current acquisition or extension before
  // the attempt was decided (at least quorum()).
  std::size_t granted() const noexcept;
  const std::string& name() const noexcept;

  // Sets the TTL on the masters to ttl from now: every master is asked (a
  // master that lost or never got the lock gets it again if it is free), and
  // the extension counts when a majority answered within the new validity.
  // Returns true and renews validity() then; false leaves validity() as it
  // was. Throws InvalidArgument for ttl <= 0 or ttl <= node_timeout, LockError
  // when the lease was released.
  bool extend(std::chrono::milliseconds ttl);
  bool extend();  // with the Redlock's ttl

  // Releases on every master, also on masters that did not answer the
  // acquisition (a lost reply may hide a grant), and waits at most
  // node_timeout for the answers. Returns how many masters confirmed (a
  // master where the lock had expired or that is unreachable does not).
  // Throws LockError when already released; never throws for a master that
  // fails.
  std::size_t release();
  // release() that never throws; nothing when already released.
  void unlock() noexcept;

 private:
  friend class Redlock;
  explicit RedlockLease(std::unique_ptr<detail::RedlockHold> hold);
  std::unique_ptr<detail::RedlockHold> hold_;
};

class Redlock {
 public:
  // One Client per independent master (not replicas of one another, not
  // two clients of one server). Throws InvalidArgument naming the value for
  // no masters, an even count, two clients with the same endpoint, ttl <= 0,
  // node_timeout <= 0 or >= ttl, a drift factor outside [0, 1), negative
  // retry delays or attempts, or an empty prefix. Starts one thread per
  // master; no connection is opened before the first attempt.
  explicit Redlock(std::vector<Client> masters, RedlockOptions options = {});
  ~Redlock();
  Redlock(const Redlock&) = delete;
  Redlock& operator=(const Redlock&) = delete;

  // One attempt: a lease when a majority granted `name` with validity left,
  // std::nullopt otherwise (then it was released everywhere again). Master
  // failures count as refusals and are not thrown. Throws InvalidArgument
  // for an empty name, one over 512 bytes, or one holding '{' or '}'.
  std::optional<RedlockLease> try_lock(const std::string& name);
  // Attempts until acquired or `wait` has passed (0: one attempt); an
  // attempt is never started after the wait, and one takes at most
  // node_timeout.
  std::optional<RedlockLease> try_lock_for(const std::string& name, std::chrono::milliseconds wait);
  template <typename Rep, typename Period>
  std::optional<RedlockLease> try_lock_for(const std::string& name, std::chrono::duration<Rep, Period> wait) {
    return try_lock_for(name, std::chrono::ceil<std::chrono::milliseconds>(wait));
  }
  // Attempts until acquired, however long that takes.
  RedlockLease lock(const std::string& name);

  // Number of masters, and how many of them must grant a lock.
  std::size_t size() const noexcept;
  std::size_t quorum() const noexcept;
  const RedlockOptions& options() const noexcept;

 private:
  std::shared_ptr<detail::RedlockCore> core_;
};

}  // namespace redkit
